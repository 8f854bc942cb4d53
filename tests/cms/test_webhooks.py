"""Front ends get one signed Standard Webhooks message per editorial action, retried until delivered.

Every test talks HTTP to a real receiver on 127.0.0.1 and checks signatures
with svix, an implementation of the specification independent of ours.
"""

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from svix.webhooks import Webhook, WebhookVerificationError
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms import webhooks
from cms.models import FrontEnd
from cms.webhooks import WebhookDelivery, attempt_delivery, deliver_due
from home.models import HomePage
from news.models import NewsArticlePage, NewsIndexPage
from tests.helpers import make_article, make_image, make_person, make_superuser, make_topic

# The example secret of the Standard Webhooks specification.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
ARTICLE_PATH = "/en/news/allies-open-the-summit/"

# --- A real receiver -----------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server = self.server
        with server.lock:
            server.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            answer = server.answers.popleft() if server.answers else 204
        if answer == "drop":
            # Hang up without answering, as a crashing receiver does.
            self.close_connection = True
            return
        reply = b"boom" if answer >= 400 else b""
        self.send_response(answer)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format, *args):
        pass


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.answers: deque = deque()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/hooks"

    def fail_with(self, *answers):
        """The next answers, in order: a status code, or "drop" to hang up; 204 afterwards."""
        self.answers.extend(answers)

    def requests_to(self, path_suffix: str) -> list[Received]:
        return [request for request in self.received if request.path.endswith(path_suffix)]


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def refused_url():
    """A loopback URL where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


@pytest.fixture(autouse=True)
def short_timeout(settings):
    settings.CMS_WEBHOOK_TIMEOUT = 5


class Clock:
    """Stands in for `cms.webhooks.now` so backoff can be stepped through without waiting."""

    def __init__(self):
        self.current = timezone.now()

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(webhooks, "now", clock)
    return clock


@pytest.fixture
def default_site(site_tree):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def front_end(default_site, receiver):
    return FrontEnd.objects.create(
        name="Web", site=default_site, webhook_url=receiver.url + "?fe=web", webhook_secret=SECRET
    )


@pytest.fixture
def other_site(site_tree):
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Other portal", slug="other"))
    return Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other")


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(make_superuser(django_user_model))
    return client


def verify(request: Received, secret=SECRET):
    Webhook(secret).verify(request.body, request.headers)


# --- Signing --------------------------------------------------------------------------------


def test_signature_matches_the_reference_implementation():
    body = b'{"type":"page.published"}'
    timestamp = 1_700_000_000
    expected = Webhook(SECRET).sign("msg_1", datetime.fromtimestamp(timestamp, tz=UTC), body.decode())
    assert webhooks.signed_headers(SECRET, "msg_1", timestamp, body) == {
        "webhook-id": "msg_1",
        "webhook-timestamp": "1700000000",
        "webhook-signature": expected,
    }


def test_secrets_without_the_whsec_prefix_are_used_as_utf8_bytes():
    assert webhooks.signing_key("plain secret é") == "plain secret é".encode()
    assert webhooks.signing_key(SECRET) == Webhook(SECRET)._inner._whsecret


@pytest.mark.parametrize(
    ("secret", "message"),
    [("", "no webhook secret"), ("whsec_not*base64!", "not base64"), ("whsec_", "empty after whsec_")],
)
def test_unusable_secrets_are_refused_with_a_clear_error(secret, message):
    with pytest.raises(webhooks.WebhookSecretError, match=message):
        webhooks.signing_key(secret)


def test_new_secrets_are_standard_webhooks_secrets():
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_")
    assert len(webhooks.signing_key(secret)) == 32
    assert secret != webhooks.new_secret()


# --- Events -----------------------------------------------------------------------------------


def test_publishing_a_page_sends_one_signed_event(
    site_tree, default_site, front_end, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(site_tree.news)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.front_end, delivery.status, delivery.attempts) == (front_end, "delivered", 1)
    assert delivery.last_status_code == 204
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None

    [request] = receiver.received
    assert request.path == "/hooks?fe=web"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == delivery.message_id
    assert delivery.message_id.startswith("msg_")
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    event = request.json
    assert event["type"] == "page.published"
    assert datetime.fromisoformat(event["timestamp"]).tzinfo is not None
    assert event["data"] == {
        "model": "news.NewsArticlePage",
        "ids": [article.pk],
        "translation_keys": [str(article.translation_key)],
        "locale": "en",
        "site_id": default_site.pk,
        "paths": [ARTICLE_PATH, "/en/news/"],
    }
    assert event == delivery.payload


def test_the_signature_verifies_with_svix_and_fails_when_tampered_or_with_another_secret(
    site_tree, front_end, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)

    [request] = receiver.received
    verify(request)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(request.body.replace(b"published", b"deleted"), request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(OTHER_SECRET).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(request.body, {**request.headers, "webhook-id": "msg_other"})


def test_a_plain_text_secret_signs_with_its_utf8_bytes(
    site_tree, front_end, receiver, django_capture_on_commit_callbacks
):
    front_end.webhook_secret = "a shared passphrase"
    front_end.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)

    [request] = receiver.received
    Webhook(b"a shared passphrase").verify(request.body, request.headers)


def test_one_publish_is_one_delivery_per_front_end_of_the_site_and_never_resent(
    site_tree, default_site, other_site, front_end, receiver, django_capture_on_commit_callbacks
):
    app = FrontEnd.objects.create(name="App", site=default_site, webhook_url=receiver.url + "?fe=app")
    app.webhook_secret = OTHER_SECRET
    app.save()
    FrontEnd.objects.create(
        name="Other", site=other_site, webhook_url=receiver.url + "?fe=other", webhook_secret=SECRET
    )
    FrontEnd.objects.create(
        name="Retired",
        site=default_site,
        webhook_url=receiver.url + "?fe=retired",
        webhook_secret=SECRET,
        is_active=False,
    )
    FrontEnd.objects.create(name="No hooks", site=default_site, webhook_secret=SECRET)

    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)

    deliveries = WebhookDelivery.objects.order_by("front_end__name")
    assert [(d.front_end.name, d.event, d.status) for d in deliveries] == [
        ("App", "page.published", "delivered"),
        ("Web", "page.published", "delivered"),
    ]
    assert len({d.message_id for d in deliveries}) == 2
    assert sorted(request.path for request in receiver.received) == ["/hooks?fe=app", "/hooks?fe=web"]
    verify(receiver.requests_to("fe=app")[0], secret=OTHER_SECRET)
    verify(receiver.requests_to("fe=web")[0])

    # Neither the sweep nor a second run of the task sends a delivered message again.
    assert deliver_due() == {}
    for delivery in deliveries:
        webhooks.deliver_webhook.enqueue(delivery.pk)
        assert attempt_delivery(delivery.pk) is None
    assert len(receiver.received) == 2
    assert [d.attempts for d in WebhookDelivery.objects.all()] == [1, 1]


def test_unpublishing_sends_the_page_and_listing_paths(
    site_tree, front_end, receiver, django_capture_on_commit_callbacks
):
    article = make_article(site_tree.news)
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()

    [request] = receiver.received
    assert request.json["type"] == "page.unpublished"
    assert request.json["data"]["paths"] == [ARTICLE_PATH, "/en/news/"]
    verify(request)


def test_moving_sends_the_old_and_new_paths_and_their_listings(
    site_tree, front_end, receiver, django_capture_on_commit_callbacks
):
    article = make_article(site_tree.news)
    archive = site_tree.home.add_child(instance=NewsIndexPage(title="Archive", slug="archive"))
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=article.pk).move(archive, pos="last-child")

    [request] = receiver.received
    assert request.json["type"] == "page.moved"
    assert request.json["data"]["ids"] == [article.pk]
    assert request.json["data"]["paths"] == [
        ARTICLE_PATH,
        "/en/news/",
        "/en/archive/allies-open-the-summit/",
        "/en/archive/",
    ]


def test_deleting_a_page_sends_one_event(site_tree, front_end, receiver, django_capture_on_commit_callbacks):
    article = make_article(site_tree.news)
    article_id = article.pk
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()

    [request] = receiver.received
    assert request.json["type"] == "page.deleted"
    assert request.json["data"]["ids"] == [article_id]
    assert request.json["data"]["paths"] == [ARTICLE_PATH, "/en/news/"]
    assert WebhookDelivery.objects.get().status == "delivered"


def test_page_events_never_reach_front_ends_of_another_site(
    site_tree, other_site, receiver, django_capture_on_commit_callbacks
):
    FrontEnd.objects.create(name="Other", site=other_site, webhook_url=receiver.url, webhook_secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_inactive_front_ends_and_front_ends_without_a_url_get_nothing(
    site_tree, default_site, locales, receiver, django_capture_on_commit_callbacks
):
    FrontEnd.objects.create(
        name="Retired", site=default_site, webhook_url=receiver.url, webhook_secret=SECRET, is_active=False
    )
    FrontEnd.objects.create(name="No hooks", site=default_site, webhook_secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)
        make_person(locales.en)

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("make", "event", "model"),
    [
        (lambda locales: make_person(locales.en), "person.changed", "taxonomy.Person"),
        (lambda locales: make_topic(locales.en), "topic.changed", "taxonomy.Topic"),
        (lambda locales: make_image(), "image.changed", "wagtailimages.Image"),
    ],
)
def test_editing_people_topics_and_images_notifies_every_site(
    make, event, model, locales, front_end, other_site, receiver, django_capture_on_commit_callbacks
):
    FrontEnd.objects.create(
        name="Other", site=other_site, webhook_url=receiver.url + "?fe=other", webhook_secret=SECRET
    )
    instance = make(locales)
    with django_capture_on_commit_callbacks(execute=True):
        instance.save()

    assert sorted(request.path for request in receiver.received) == ["/hooks?fe=other", "/hooks?fe=web"]
    for request in receiver.received:
        verify(request)
        assert request.json["type"] == event
        assert request.json["data"] == {
            "model": model,
            "ids": [instance.pk],
            "translation_keys": [str(instance.translation_key)] if hasattr(instance, "translation_key") else [],
            # Translatable snippets say which language version changed; images have none.
            "locale": "en" if hasattr(instance, "locale_id") else None,
            "site_id": None,
            "paths": [],
        }


def test_one_publish_and_one_delete_in_the_admin_are_one_event_each(
    editor_client, site_tree, front_end, receiver, django_capture_on_commit_callbacks
):
    data = nested_form_data(
        {
            "title": "Ministers meet in Brussels",
            "slug": "ministers-meet",
            "published_at": "2025-06-02 09:30",
            "dateline": "Brussels",
            "standfirst": "Defence ministers agree on new capability targets.",
            "body": streamfield([("paragraph", rich_text("<p>The ministers met on Monday.</p>"))]),
            **{name: inline_formset([]) for name in ("topic_links", "person_links", "related_links", "comments")},
            "action-publish": "action-publish",
        }
    )
    add_url = reverse("wagtailadmin_pages:add", args=["news", "newsarticlepage", site_tree.news.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(add_url, data)
    assert response.status_code == 302
    article = NewsArticlePage.objects.get(slug="ministers-meet")
    assert [request.json["type"] for request in receiver.received] == ["page.published"]

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("wagtailadmin_pages:delete", args=[article.pk]))
    assert response.status_code == 302
    assert not NewsArticlePage.objects.filter(pk=article.pk).exists()
    assert [request.json["type"] for request in receiver.received] == ["page.published", "page.deleted"]
    assert list(WebhookDelivery.objects.order_by("created_at", "pk").values_list("event", "status")) == [
        ("page.published", "delivered"),
        ("page.deleted", "delivered"),
    ]
    for request in receiver.received:
        verify(request)
        assert request.json["data"]["paths"] == ["/en/news/ministers-meet/", "/en/news/"]


def test_one_person_edit_in_the_admin_is_one_event(
    editor_client, locales, front_end, receiver, django_capture_on_commit_callbacks
):
    person = make_person(locales.en)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("wagtailsnippets_taxonomy_person:edit", args=[person.pk]),
            {"name": "Jane Doe", "role": "Spokesperson"},
        )
    assert response.status_code == 302
    assert [request.json["type"] for request in receiver.received] == ["person.changed"]
    assert WebhookDelivery.objects.get().event == "person.changed"


# --- Retries ----------------------------------------------------------------------------------


def test_a_failing_receiver_is_retried_with_backoff_until_delivered(
    site_tree, front_end, receiver, clock, django_capture_on_commit_callbacks
):
    receiver.fail_with(500, "drop")
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500 Internal Server Error: boom"
    assert delivery.next_attempt_at == clock.current + timedelta(seconds=30)

    clock.advance(29)
    assert deliver_due() == {}
    assert len(receiver.received) == 1

    clock.advance(2)
    assert deliver_due() == {"pending": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 2, None)
    assert delivery.last_error == "Connection failed: Remote end closed connection without response"
    assert delivery.next_attempt_at == clock.current + timedelta(seconds=60)

    clock.advance(59)
    assert deliver_due() == {}
    clock.advance(2)
    assert deliver_due() == {"delivered": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "delivered",
        3,
        204,
        "",
    )
    assert delivery.delivered_at == clock.current

    # One message: the same id every time, each attempt signed again at its own time.
    assert len(receiver.received) == 3
    assert {request.headers["webhook-id"] for request in receiver.received} == {delivery.message_id}
    timestamps = [int(request.headers["webhook-timestamp"]) for request in receiver.received]
    assert timestamps == sorted(timestamps) and len(set(timestamps)) == 3
    assert len({request.headers["webhook-signature"] for request in receiver.received}) == 3
    assert {request.body for request in receiver.received} == {receiver.received[0].body}
    for request in receiver.received:
        verify(request)


def test_a_receiver_that_never_answers_ends_failed_after_the_maximum_attempts(
    site_tree, front_end, refused_url, clock, settings, django_capture_on_commit_callbacks
):
    settings.CMS_WEBHOOK_MAX_ATTEMPTS = 4
    front_end.webhook_url = refused_url
    front_end.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)

    delivery = WebhookDelivery.objects.get()
    waits = []
    while delivery.status == "pending":
        waits.append((delivery.next_attempt_at - clock.current).total_seconds())
        clock.advance(waits[-1])
        call_command("deliver_webhooks", verbosity=0)
        delivery.refresh_from_db()

    assert waits == [30, 60, 120]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 4, None)
    assert delivery.last_error.startswith("Connection failed")
    clock.advance(24 * 3600)
    assert deliver_due() == {}
    delivery.refresh_from_db()
    assert delivery.attempts == 4


def test_the_backoff_doubles_up_to_its_cap(settings):
    assert [webhooks.retry_delay(n).total_seconds() for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    settings.CMS_WEBHOOK_RETRY_DELAY = 5
    settings.CMS_WEBHOOK_MAX_RETRY_DELAY = 15
    assert [webhooks.retry_delay(n).total_seconds() for n in range(1, 5)] == [5, 10, 15, 15]
    assert webhooks.retry_delay(10_000).total_seconds() == 15


def test_with_a_deferring_backend_the_retry_is_enqueued_for_when_it_is_due(
    site_tree, front_end, receiver, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver.fail_with(503)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)

    delivery = WebhookDelivery.objects.get()
    queued = DBTaskResult.objects.filter(task_path="cms.webhooks.deliver_webhook")
    [first] = queued
    assert first.task_path == "cms.webhooks.deliver_webhook"
    assert first.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    assert receiver.received == []

    # What the worker does with the queued task.
    assert attempt_delivery(delivery.pk) == "pending"
    delivery.refresh_from_db()
    retry = queued.exclude(pk=first.pk).get()
    assert retry.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    assert retry.run_after == delivery.next_attempt_at
    # A copy of the task run early does nothing: the retry is not due yet.
    assert attempt_delivery(delivery.pk) is None
    assert len(receiver.received) == 1


def test_a_front_end_deactivated_before_sending_fails_without_a_request(
    site_tree, front_end, receiver, clock, django_capture_on_commit_callbacks
):
    receiver.fail_with(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)
    front_end.is_active = False
    front_end.save()
    clock.advance(31)

    assert deliver_due() == {"failed": 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error == "The front end is inactive or has no webhook URL."
    assert len(receiver.received) == 1


def test_a_malformed_secret_is_logged_and_nothing_is_sent(
    site_tree, front_end, receiver, django_capture_on_commit_callbacks
):
    front_end.webhook_secret = "whsec_not*base64!"
    front_end.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "not base64" in delivery.last_error
    assert receiver.received == []


# --- The admin ----------------------------------------------------------------------------------


@pytest.fixture
def failed_delivery(site_tree, front_end, refused_url, settings, django_capture_on_commit_callbacks):
    settings.CMS_WEBHOOK_MAX_ATTEMPTS = 1
    good_url = front_end.webhook_url
    front_end.webhook_url = refused_url
    front_end.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)
    front_end.webhook_url = good_url
    front_end.save()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    return delivery


def test_editors_see_deliveries_with_status_attempts_and_error(editor_client, failed_delivery):
    response = editor_client.get(reverse("webhook_deliveries:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("page.published", "Web", "Failed", "Connection failed", "Retry now"):
        assert text in html

    inspect = editor_client.get(reverse("webhook_deliveries:inspect", args=[failed_delivery.pk]))
    assert inspect.status_code == 200
    assert failed_delivery.message_id in inspect.content.decode()
    assert "<pre>" in inspect.content.decode() and ARTICLE_PATH in inspect.content.decode()


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, {"page.published", "person.changed"}),
        ({"status": "failed"}, {"page.published"}),
        ({"status": "delivered"}, {"person.changed"}),
        ({"event": "person.changed"}, {"person.changed"}),
        ({"front_end": "other"}, set()),
    ],
)
def test_the_listing_filters_by_status_event_and_front_end(
    editor_client, failed_delivery, other_site, locales, receiver, query, shown, django_capture_on_commit_callbacks
):
    other = FrontEnd.objects.create(name="Other", site=other_site)
    person = make_person(locales.en)
    with django_capture_on_commit_callbacks(execute=True):
        person.save()
    if query.get("front_end") == "other":
        query["front_end"] = other.pk

    response = editor_client.get(reverse("webhook_deliveries:index"), query)
    assert response.status_code == 200
    listed = {delivery.event for delivery in response.context["object_list"]}
    assert listed == shown


def test_the_log_cannot_be_edited_even_by_a_superuser(editor_client, failed_delivery):
    index = reverse("webhook_deliveries:index")
    for path in ("new/", f"edit/{failed_delivery.pk}/", f"delete/{failed_delivery.pk}/"):
        assert editor_client.get(index + path).status_code == 404
        assert editor_client.post(index + path).status_code == 404
    assert WebhookDelivery.objects.filter(pk=failed_delivery.pk).exists()
    assert AdminURLFinder().get_edit_url(failed_delivery) == reverse(
        "webhook_deliveries:inspect", args=[failed_delivery.pk]
    )


def test_retry_now_sends_a_failed_delivery_again(
    editor_client, failed_delivery, receiver, django_capture_on_commit_callbacks
):
    url = reverse("webhook_deliveries:retry", args=[failed_delivery.pk])
    assert editor_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url)
    assert response.status_code == 302

    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.attempts) == ("delivered", 2)
    [request] = receiver.received
    assert request.headers["webhook-id"] == failed_delivery.message_id
    verify(request)

    # Delivered: a second retry sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url)
    assert len(receiver.received) == 1


def test_retry_now_waits_until_no_attempt_can_still_be_under_way(
    site_tree, front_end, receiver, clock, django_capture_on_commit_callbacks
):
    receiver.fail_with(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(site_tree.news)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.retry(delivery) is False  # the attempt just made may not have finished yet

    clock.advance(5 + 61)  # the request timeout and the claim margin
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.retry(delivery) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(receiver.received) == 2


def test_viewers_without_the_retry_permission_cannot_retry(client, django_user_model, failed_delivery):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user(email="viewer@example.org", password="x")
    viewer.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="cms", codename="view_webhookdelivery"),
    )
    client.force_login(viewer)

    response = client.get(reverse("webhook_deliveries:index"))
    assert response.status_code == 200
    assert failed_delivery.message_id in response.content.decode()
    assert "Retry now" not in response.content.decode()
    # Wagtail answers a refusal in the admin with a redirect to the dashboard and a message.
    response = client.post(reverse("webhook_deliveries:retry", args=[failed_delivery.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == "failed"
