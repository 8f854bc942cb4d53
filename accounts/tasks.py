"""Background delivery of account e-mail, retried while the SMTP server is unreachable."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import sealed_mail

logger = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS = (15, 60, 300, 900)


@task()
def deliver_account_email(sealed: str, attempt: int = 1) -> str:
    """Hand one sealed message to the e-mail backend.

    The account (and the code in the session) already exist when this runs, so
    a failure never loses a sign-up: the task tries again later with the same
    message (when the task backend can schedule; the immediate backend of the
    tests cannot), and the person can always ask for a new code.
    """
    payload = sealed_mail.unseal(sealed)
    recipients = ", ".join(sealed_mail.masked(address) for address in payload["to"])
    try:
        sealed_mail.build(payload).send()
    except (smtplib.SMTPException, OSError) as error:
        delays = getattr(settings, "ACCOUNTS_EMAIL_RETRY_DELAYS", DEFAULT_RETRY_DELAYS)
        can_schedule = deliver_account_email.get_backend().supports_defer
        if attempt > len(delays) or not can_schedule:
            logger.error(
                "Account e-mail %s to %s not sent after %d attempt(s): %s",
                payload["kind"],
                recipients,
                attempt,
                error.__class__.__name__,
            )
            return "failed"
        run_after = timezone.now() + timedelta(seconds=delays[attempt - 1])
        deliver_account_email.using(run_after=run_after).enqueue(sealed, attempt + 1)
        logger.warning(
            "Account e-mail %s to %s not sent (%s); attempt %d at %s",
            payload["kind"],
            recipients,
            error.__class__.__name__,
            attempt + 1,
            run_after.isoformat(),
        )
        return "retrying"
    logger.info("Account e-mail %s sent to %s", payload["kind"], recipients)
    return "sent"
