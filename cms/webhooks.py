"""Signed webhooks that tell each front end what content changed.

One editorial action (`cms.content_events.ContentChange`) becomes one
`WebhookDelivery` per front end that shows it, each sent by a background task
as a Standard Webhooks message (https://www.standardwebhooks.com/): headers
`webhook-id`, `webhook-timestamp` and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`).

A front end's `webhook_secret` is either a Standard Webhooks secret,
`whsec_<base64 key>` (the key is the decoded bytes; `new_secret()` makes one),
or any other text, whose UTF-8 bytes are the key.

Failed attempts are retried with exponential backoff. A retry keeps its
`webhook-id`, so a receiver that saw an earlier attempt can drop the copy, and
is signed again with a fresh timestamp, so receivers' replay windows accept it.

Settings (read through `django.conf.settings`, all optional):

- `CMS_WEBHOOK_TIMEOUT` (10): seconds to wait for a receiver's answer.
- `CMS_WEBHOOK_MAX_ATTEMPTS` (8): attempts before a delivery is marked failed.
- `CMS_WEBHOOK_RETRY_DELAY` (30): seconds before the first retry; the delay
  doubles after each failed attempt (30 s, 1 min, 2 min, … ≈ 1 hour in all).
- `CMS_WEBHOOK_MAX_RETRY_DELAY` (3600): the longest wait between two attempts.

Retries are enqueued to run later when the task backend can defer tasks (the
database backend can). `manage.py deliver_webhooks` (or `deliver_due()`) sends
whatever is due, which covers backends that cannot defer, such as the
immediate one, and attempts cut short by a worker that died mid-request; run
it from cron every few minutes.
"""

from __future__ import annotations

import http.client
import logging
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from .models import FrontEnd, WebhookDelivery
from .webhook_signing import (  # noqa: F401 - part of this module's interface
    SECRET_PREFIX,
    WebhookSecretError,
    encode_body,
    new_secret,
    sign,
    signed_headers,
    signing_key,
)

if TYPE_CHECKING:
    from .content_events import ContentChange

logger = logging.getLogger(__name__)

USER_AGENT = "media-portal-cms-webhooks/1"
# How long a claimed attempt is protected from a concurrent sweep: longer than
# any request can take, so a receiver never sees two attempts at once.
_CLAIM_MARGIN = timedelta(seconds=60)
# Enough of a failing receiver's answer to tell editors why, without storing pages of HTML.
_ERROR_BODY_CHARS = 300


def now() -> datetime:
    """The clock deliveries are scheduled on (one seam, so tests can move time)."""
    return timezone.now()


def _claim_duration() -> timedelta:
    return timedelta(seconds=timeout()) + _CLAIM_MARGIN


def timeout() -> float:
    return float(getattr(settings, "CMS_WEBHOOK_TIMEOUT", 10))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "CMS_WEBHOOK_MAX_ATTEMPTS", 8)))


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base * 2^(attempts - 1), capped."""
    base = float(getattr(settings, "CMS_WEBHOOK_RETRY_DELAY", 30))
    cap = float(getattr(settings, "CMS_WEBHOOK_MAX_RETRY_DELAY", 3600))
    # The exponent is bounded so a large attempt count cannot overflow a float.
    return timedelta(seconds=min(base * 2 ** min(max(attempts - 1, 0), 32), cap))


# --- Queueing -----------------------------------------------------------------------


def queue_for_change(change: ContentChange) -> list[WebhookDelivery]:
    """The `content_events` listener: record one delivery per front end, then send them."""
    from wagtail.models import Page

    if change.event == "page.unpublished" and not Page.objects.filter(pk__in=change.ids).exists():
        # Wagtail unpublishes a live page just before deleting it; its
        # "page.deleted" event, emitted by the same action, says it all.
        return []
    front_ends = FrontEnd.objects.filter(is_active=True).exclude(webhook_url="")
    is_page = change.event.startswith("page.")
    if is_page:
        # A page outside every site (no site ids) concerns no front end.
        front_ends = front_ends.filter(site_id__in=change.site_ids)
    timestamp = now()
    deliveries = [
        WebhookDelivery(
            front_end=front_end,
            message_id=f"msg_{uuid.uuid4().hex}",
            event=change.event,
            payload={
                "type": change.event,
                "timestamp": timestamp.isoformat(),
                "data": {
                    "model": change.model,
                    "ids": list(change.ids),
                    "translation_keys": list(change.translation_keys),
                    "locale": change.locale,
                    "site_id": front_end.site_id if is_page else None,
                    "paths": list(change.paths),
                },
            },
            next_attempt_at=timestamp,
            created_at=timestamp,
        )
        for front_end in front_ends
    ]
    if not deliveries:
        return []
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(deliveries)
        ids = [delivery.pk for delivery in deliveries]
        # A worker must not look for rows it cannot see yet.
        transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def retry(delivery: WebhookDelivery) -> bool:
    """Send again now (an editor's "retry now").

    False when there is nothing to retry: the delivery was delivered, or
    an attempt is under way (sending it again now would race that attempt).
    """
    started = now()
    Status = WebhookDelivery.Status
    retried = (
        WebhookDelivery.objects.filter(pk=delivery.pk, status__in=[Status.PENDING, Status.FAILED])
        .exclude(status=Status.PENDING, last_attempt_at__gt=started - _claim_duration())
        .update(status=Status.PENDING, next_attempt_at=started)
    )
    if retried:
        transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return bool(retried)


def _enqueue(delivery_ids: list[int], run_after: datetime | None = None) -> None:
    for delivery_id in delivery_ids:
        try:
            if run_after is not None:
                deliver_webhook.using(run_after=run_after).enqueue(delivery_id)
            else:
                deliver_webhook.enqueue(delivery_id)
        except Exception:
            # The row stays pending and due, so `deliver_due` sends it later.
            logger.exception("Could not enqueue webhook delivery %s", delivery_id)


# --- Sending ---------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would resend the body (or drop it) to a URL nobody configured:
    # a 3xx counts as a failed attempt, as in the Standard Webhooks reference senders.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST once: (status code, error message); the message is empty on a 2xx."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked below
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
    )
    if request.type not in ("http", "https"):
        return None, f"Not an HTTP(S) URL: {url}"
    try:
        with _opener.open(request, timeout=timeout()) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        with error:
            text = error.read(_ERROR_BODY_CHARS).decode("utf-8", "replace").strip()
        return error.code, f"HTTP {error.code} {error.reason}" + (f": {text}" if text else "")
    except urllib.error.URLError as error:
        return None, f"Connection failed: {error.reason}"
    except TimeoutError:
        return None, f"No answer within {timeout():g} seconds."
    except (OSError, http.client.HTTPException) as error:  # e.g. the receiver hung up without answering
        return None, f"Connection failed: {error or type(error).__name__}"
    except ValueError as error:
        return None, f"Invalid webhook URL: {error}"


def attempt_delivery(delivery_id: int) -> str | None:
    """Make one attempt at a due, pending delivery; returns its new status, None if not attempted.

    The attempt is claimed with a conditional UPDATE on (status, attempts), so
    of two workers (or a worker and the sweep) only one sends, and nothing is
    sent once a delivery is delivered.
    """
    started = now()
    delivery = WebhookDelivery.objects.select_related("front_end").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return None
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > started:
        return None
    attempt = delivery.attempts + 1
    pending = WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
    claimed = (
        pending.filter(attempts=delivery.attempts)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=started))
        .update(
            attempts=attempt,
            last_attempt_at=started,
            next_attempt_at=started + _claim_duration(),
        )
    )
    if not claimed:
        return None

    front_end = delivery.front_end
    body = delivery.body
    status_code, error, final = None, "", False
    if not front_end.is_active or not front_end.webhook_url:
        # Retrying cannot help until an editor changes the front end; "retry now" is there for that.
        error, final = "The front end is inactive or has no webhook URL.", True
    else:
        try:
            headers = signed_headers(front_end.webhook_secret, delivery.message_id, int(now().timestamp()), body)
        except WebhookSecretError as secret_error:
            error = str(secret_error)
        else:
            status_code, error = _post(front_end.webhook_url, body, headers)

    finished = now()
    # Written only if the row is still as this attempt claimed it.
    mine = pending.filter(attempts=attempt)
    if not error:
        mine.update(
            status=WebhookDelivery.Status.DELIVERED,
            last_status_code=status_code,
            last_error="",
            next_attempt_at=None,
            delivered_at=finished,
        )
        return WebhookDelivery.Status.DELIVERED

    logger.warning("Webhook %s to %s, attempt %d: %s", delivery.message_id, front_end, attempt, error)
    if final or attempt >= max_attempts():
        mine.update(
            status=WebhookDelivery.Status.FAILED, last_status_code=status_code, last_error=error, next_attempt_at=None
        )
        return WebhookDelivery.Status.FAILED
    next_attempt_at = finished + retry_delay(attempt)
    updated = mine.update(last_status_code=status_code, last_error=error, next_attempt_at=next_attempt_at)
    if updated and deliver_webhook.get_backend().supports_defer:
        _enqueue([delivery_id], run_after=next_attempt_at)
    return WebhookDelivery.Status.PENDING


@task()
def deliver_webhook(delivery_id: int) -> str | None:
    return attempt_delivery(delivery_id)


def deliver_due(limit: int | None = None) -> dict[str, int]:
    """Attempt every pending delivery that is due, oldest first; counts by resulting status."""
    due = (
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    counts: dict[str, int] = {}
    for delivery_id in list(due[:limit] if limit else due):
        status = attempt_delivery(delivery_id)
        if status is not None:
            counts[status] = counts.get(status, 0) + 1
    return counts
