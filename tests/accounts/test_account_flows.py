"""The seed screens, end to end through allauth's headless API, for both client kinds.

Create an account -> check your inbox and enter the code -> success (you can
now download) -> newsletter offer -> log out -> reset password by code ->
create a new password -> "your password has been updated: log in".
"""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import NewsletterSubscription, User

from .conftest import NEW_PASSWORD, PASSWORD, Headless, last_code, mails_to, pending_flow


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["browser", "app"])
def test_sign_up_verify_log_in_reset_and_log_in_again(kind):
    email = f"ann.{kind}@example.org"
    client = Headless(kind)

    # Create an account: the answer asks for the e-mailed code.
    response = client.signup(email)
    assert response.status_code == 401, response.content
    assert pending_flow(response) == "verify_email"
    user = User.objects.get(email=email)
    assert (user.first_name, user.last_name, user.organisation, user.country, user.language) == (
        "Ann",
        "Lenoir",
        "Radio Nord",
        "FR",
        "en",
    )
    assert not user.is_staff and user.terms_version and user.terms_accepted_at
    assert not EmailAddress.objects.get(email=email).verified

    # Check your inbox and enter the verification code.
    response = client.verify(last_code(email))
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["is_authenticated"] is True
    assert EmailAddress.objects.get(email=email).verified

    # Success: "you can now download full or partial versions of our videos".
    me = client.api("get", "/me")
    assert me.status_code == 200, me.content
    assert me.json()["may_download"] is True and me.json()["email_verified"] is True

    # The newsletter offer right after.
    response = client.api("put", "/me/newsletter", {"subscribed": True, "source": "welcome"})
    assert response.status_code == 200 and response.json()["subscribed"] is True
    assert NewsletterSubscription.objects.get(user=user).source == "welcome"

    assert client.logout().status_code == 401
    assert client.api("get", "/me").status_code == 401

    # Reset password: a code by e-mail, then a new password.
    client = Headless(kind)
    response = client.request_reset(email)
    assert response.status_code == 401 and pending_flow(response) == "password_reset_by_code"
    code = last_code(email)
    assert client.check_reset_code(code).status_code == 200
    response = client.reset(code, NEW_PASSWORD)
    assert response.status_code == 401, response.content  # updated; "return to the page and log in"
    assert any("password was reset" in message.subject.lower() for message in mails_to(email))

    assert client.login(email, PASSWORD).status_code == 400
    response = client.login(email, NEW_PASSWORD)
    assert response.status_code == 200, response.content
    assert client.api("get", "/me").json()["email"] == email


@pytest.mark.django_db
def test_a_french_sign_up_gets_french_mail_and_french_answers():
    client = Headless("app", language="fr")

    client.signup("zoe@example.fr", language="fr", newsletter=True)

    message = mails_to("zoe@example.fr")[0]
    assert message.subject.endswith("Votre code de vérification")
    assert "Ce code expire dans 30 minutes." in message.body
    html = message.alternatives[0][0]
    assert 'lang="fr"' in html and last_code("zoe@example.fr") in html
    response = client.verify("BBBB-BBBB")
    assert response.json()["errors"][0]["message"] == "Code incorrect."
    # The newsletter opted into at sign-up is recorded with its source.
    subscription = NewsletterSubscription.objects.get(email="zoe@example.fr")
    assert (subscription.source, subscription.language, subscription.is_subscribed) == ("signup", "fr", True)


@pytest.mark.django_db
def test_the_language_chosen_at_sign_up_wins_over_the_request_language():
    client = Headless("app", language="en")

    client.signup("luc@example.fr", language="fr")
    code = last_code("luc@example.fr")
    client.verify(code)
    client.logout()
    Headless("app", language="en").request_reset("luc@example.fr")

    assert mails_to("luc@example.fr")[-1].subject.endswith("Votre code de réinitialisation du mot de passe")


@pytest.mark.django_db
def test_verification_is_required_before_logging_in(settings):
    # allauth sends at most one code per address every 10 s; the log-in below comes sooner.
    settings.ACCOUNTS_CODE_MAIL_COOLDOWN = 0
    client = Headless("app")
    client.signup("late@example.org")

    # Logging in without the code only sends a new one.
    other = Headless("app")
    response = other.login("late@example.org")
    assert response.status_code == 401 and pending_flow(response) == "verify_email"
    assert other.api("get", "/me").status_code == 401
    assert other.verify(last_code("late@example.org")).status_code == 200
    assert other.api("get", "/me").json()["may_download"] is True


@pytest.mark.django_db
def test_password_change_needs_the_current_password_and_the_policy(verified_user):
    client = verified_user("change@example.org")

    response = client.post("/account/password/change", {"current_password": "wrong", "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    response = client.post("/account/password/change", {"current_password": PASSWORD, "new_password": "short"})
    assert response.status_code == 400
    response = client.post("/account/password/change", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 200, response.content
    assert User.objects.get(email="change@example.org").check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_allauth_serves_its_openapi_specification_with_the_sign_up_fields(client):
    response = client.get("/_allauth/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    signup = spec["components"]["schemas"]["BaseSignup"]
    for field in ("first_name", "last_name", "organisation", "country", "language", "terms_accepted", "newsletter"):
        assert field in signup["properties"]
    assert {"terms_accepted", "terms_version", "organisation"} <= set(signup["required"])
    assert "/_allauth/{client}/v1/auth/signup" in spec["paths"]
    client_parameter = spec["components"]["parameters"]["Client"]["schema"]["enum"]
    assert set(client_parameter) == {"browser", "app"}


@pytest.mark.django_db
def test_mail_to_an_unverified_address_does_not_repeat_what_the_sign_up_typed():
    # Anyone can sign up with someone else's address: the names must not carry a message to them.
    Headless("app").signup("victim@example.org", first_name="Call +1-555-0100 http://evil.example")

    message = mails_to("victim@example.org")[0]
    assert message.body.startswith("Hello,\n")
    assert "evil" not in message.body and "evil" not in message.alternatives[0][0]
