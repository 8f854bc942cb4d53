"""The newsletter: consent records, GET/PUT /api/v1/me/newsletter and the signed one-click unsubscribe link."""

import re

import pytest

from accounts.models import NewsletterSubscription

from .conftest import Headless, last_code, mails_to

PROBLEM = "application/problem+json"


def welcome_mail(email):
    return next(m for m in reversed(mails_to(email)) if "List-Unsubscribe" in m.extra_headers)


def unsubscribe_path(message) -> str:
    url = re.fullmatch(r"<(.+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    return url.removeprefix("http://testserver")


def one_click(client, path):
    # What a mail client does for RFC 8058: a form POST, no cookies, no log-in.
    return client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")


@pytest.mark.django_db
def test_subscribing_records_consent_and_sends_a_mail_with_one_click_unsubscribe(verified_user):
    client = verified_user("news@example.org")
    assert client.api("get", "/me/newsletter").json() == {
        "subscribed": False,
        "email": None,
        "language": None,
        "consented_at": None,
        "source": None,
        "unsubscribed_at": None,
    }

    response = client.api("put", "/me/newsletter", {"subscribed": True})

    assert response.status_code == 200
    body = response.json()
    assert (body["subscribed"], body["email"], body["language"], body["source"]) == (
        True,
        "news@example.org",
        "en",
        "profile",
    )
    assert body["consented_at"] and body["unsubscribed_at"] is None
    message = welcome_mail("news@example.org")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_path(message).startswith("/api/v1/newsletter/unsubscribe/")
    assert unsubscribe_path(message) in message.body
    assert client.api("get", "/me").json()["newsletter"] is True


@pytest.mark.django_db
def test_unsubscribing_from_the_profile(verified_user):
    client = verified_user("off@example.org")
    client.api("put", "/me/newsletter", {"subscribed": True})

    response = client.api("put", "/me/newsletter", {"subscribed": False})

    assert response.status_code == 200
    assert response.json()["subscribed"] is False and response.json()["unsubscribed_at"]
    assert NewsletterSubscription.objects.get(email="off@example.org").unsubscribed_at is not None


@pytest.mark.django_db
def test_one_click_unsubscribe_needs_no_log_in_and_can_be_repeated(verified_user, client):
    verified_user("click@example.org").api("put", "/me/newsletter", {"subscribed": True})
    path = unsubscribe_path(welcome_mail("click@example.org"))

    assert client.get(path).json() == {"subscribed": True}  # looking changes nothing
    response = one_click(client, path)

    assert response.status_code == 200 and response.json() == {"subscribed": False}
    subscription = NewsletterSubscription.objects.get(email="click@example.org")
    assert subscription.unsubscribed_at is not None
    # Replaying the same link is harmless.
    assert one_click(client, path).json() == {"subscribed": False}
    assert NewsletterSubscription.objects.get(pk=subscription.pk).unsubscribed_at == subscription.unsubscribed_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature
        lambda token: ("x" if token[0] != "x" else "y") + token[1:],  # payload
        lambda token: token.split(":")[0],
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused(verified_user, client, tamper):
    verified_user("tamper@example.org").api("put", "/me/newsletter", {"subscribed": True})
    path = unsubscribe_path(welcome_mail("tamper@example.org"))
    prefix, token = path.rsplit("/", 1)

    response = one_click(client, f"{prefix}/{tamper(token)}")

    assert response.status_code == 404  # a token never issued names no subscription
    assert response["Content-Type"] == PROBLEM and response.json()["code"] == "invalid_token"
    assert NewsletterSubscription.objects.get(email="tamper@example.org").is_subscribed


@pytest.mark.django_db
def test_an_old_link_cannot_undo_a_new_subscription(verified_user, client):
    member = verified_user("again@example.org")
    member.api("put", "/me/newsletter", {"subscribed": True})
    old_path = unsubscribe_path(welcome_mail("again@example.org"))
    one_click(client, old_path)
    member.api("put", "/me/newsletter", {"subscribed": True, "source": "profile"})

    response = one_click(client, old_path)

    assert response.status_code == 410 and response.json()["code"] == "stale_token"
    assert NewsletterSubscription.objects.get(email="again@example.org").is_subscribed
    new_path = unsubscribe_path(welcome_mail("again@example.org"))
    assert new_path != old_path
    assert one_click(client, new_path).json() == {"subscribed": False}


@pytest.mark.django_db
def test_a_sign_up_consent_is_welcomed_only_once_the_address_is_verified():
    client = Headless("app", language="fr")
    client.signup("later@example.org", newsletter=True, language="fr")
    assert [m for m in mails_to("later@example.org") if "List-Unsubscribe" in m.extra_headers] == []

    client.verify(last_code("later@example.org"))

    message = welcome_mail("later@example.org")
    assert message.subject.endswith("Vous êtes abonné(e) à notre newsletter")
    assert NewsletterSubscription.objects.get(email="later@example.org").source == "signup"


@pytest.mark.django_db
def test_newsletter_changes_are_checked(verified_user):
    client = verified_user("check@example.org")

    assert client.api("put", "/me/newsletter", {"subscribed": "perhaps"}).status_code == 400
    assert client.api("put", "/me/newsletter", {"subscribed": True, "source": "admin"}).status_code == 400
    assert client.api("put", "/me/newsletter", {"subscribed": True, "extra": 1}).status_code == 400
    assert Headless("app").api("get", "/me/newsletter").status_code == 401
    assert not NewsletterSubscription.objects.exists()
