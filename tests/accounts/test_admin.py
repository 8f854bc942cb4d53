"""The Wagtail admin: media accounts apart from editors, the newsletter, CSV exports; rate-limited log-ins."""

import pytest
from django.urls import reverse

from accounts.models import NewsletterSubscription
from accounts.newsletter import subscribe


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser(email="editor@example.org", password="Edit-Or#2024x")


@pytest.fixture
def accounts(media_account):
    verified = media_account("verified@example.org", language="fr", country="BE", organisation="TV Sud")
    subscribe(verified, source=NewsletterSubscription.Source.PROFILE, welcome=False)
    unverified = media_account("unverified@example.org", country="FR")
    unverified.emailaddress_set.update(verified=False)
    return verified, unverified


@pytest.mark.django_db
def test_media_accounts_are_listed_apart_from_editors(client, editor, accounts):
    client.force_login(editor)

    response = client.get(reverse("media_accounts:index"))

    assert response.status_code == 200
    listed = {user.email for user in response.context["object_list"]}
    assert listed == {"verified@example.org", "unverified@example.org"}
    assert "TV Sud" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"is_verified": "true"}, {"verified@example.org"}),
        ({"is_verified": "false"}, {"unverified@example.org"}),
        ({"newsletter": "true"}, {"verified@example.org"}),
        ({"language": "fr"}, {"verified@example.org"}),
        ({"country": "fr"}, {"unverified@example.org"}),
    ],
)
def test_media_accounts_can_be_filtered_and_exported_as_csv(client, editor, accounts, query, expected):
    client.force_login(editor)

    response = client.get(reverse("media_accounts:index"), {**query, "export": "csv"})

    assert response.status_code == 200
    rows = b"".join(response.streaming_content).decode().strip().splitlines()
    assert rows[0] == (
        "E-mail address,First name,Last name,Organisation / media outlet,Country,Preferred language,"
        "E-mail verified,Terms of use accepted (version),Terms of use accepted on,Newsletter,Active,Date joined"
    )
    emails = {row.split(",")[0] for row in rows[1:]}
    assert emails == expected


@pytest.mark.django_db
def test_newsletter_subscriptions_are_listed_and_exported(client, editor, accounts):
    client.force_login(editor)

    listing = client.get(reverse("newsletter_subscriptions:index"))
    export = client.get(reverse("newsletter_subscriptions:index"), {"subscribed": "true", "export": "csv"})

    assert listing.status_code == 200 and "verified@example.org" in listing.content.decode()
    rows = b"".join(export.streaming_content).decode().strip().splitlines()
    assert len(rows) == 2 and rows[1].startswith("verified@example.org,fr,profile,")


@pytest.mark.django_db
def test_media_accounts_cannot_open_the_admin(client, accounts):
    client.force_login(accounts[0])

    assert client.get(reverse("media_accounts:index")).status_code in (302, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("login_url", ["wagtailadmin_login", "admin:login"])
def test_admin_log_ins_are_rate_limited(client, editor, login_url):
    url = reverse(login_url)
    for _ in range(5):
        response = client.post(url, {"username": "editor@example.org", "password": "wrong"})
        assert response.status_code == 200

    response = client.post(url, {"username": "EDITOR@example.org", "password": "Edit-Or#2024x"})

    assert response.status_code == 200
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_successful_admin_log_in_is_not_counted(client, editor):
    url = reverse("wagtailadmin_login")
    for _ in range(8):
        client.post(url, {"username": "editor@example.org", "password": "Edit-Or#2024x"})
        client.logout()

    response = client.post(url, {"username": "editor@example.org", "password": "Edit-Or#2024x"})

    assert response.status_code == 302
