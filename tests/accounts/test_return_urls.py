"""Return URLs: a relative path or a page of a registered front end; open redirects are refused."""

import pytest

from accounts.models import User

from .conftest import FRONT_END_ORIGIN, Headless, error_codes, mails_to

REFUSED = [
    "//evil.example/phish",
    "/\\evil.example/phish",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/",
    "https://media.example.org.evil.example/",
    "https://media.example.org@evil.example/",
    "https://user:pass@media.example.org/",
    "http://media.example.org/",  # registered over https only
    "https://m\u0435dia.example.org/",  # Cyrillic "e"
    "ftp://media.example.org/",
    "/page\nLocation: https://evil.example",
    "\t/page",
    "videos/42",  # relative to what?
    "https:evil.example",
    "https:///evil.example",
]

ACCEPTED = [
    "/videos/42?clip=3#t=10",
    "/",
    f"{FRONT_END_ORIGIN}/fr/videos/42",
    "https://MEDIA.example.org:443/videos",
]


@pytest.mark.django_db
@pytest.mark.parametrize("return_url", REFUSED)
def test_sign_up_refuses_a_return_url_off_the_front_ends(front_end, return_url):
    response = Headless("app", language="fr").signup("ret@example.org", return_url=return_url)

    assert response.status_code == 400
    assert error_codes(response) == ["invalid_return_url"]
    assert response.json()["errors"][0]["param"] == "return_url"
    assert response.json()["errors"][0]["message"].startswith("Cette URL de retour n'est pas autorisée")
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("return_url", REFUSED[:8])
def test_password_reset_refuses_them_too(front_end, return_url):
    response = Headless("app").request_reset("ret@example.org", return_url=return_url)

    assert response.status_code == 400
    assert error_codes(response) == ["invalid_return_url"]
    assert not mails_to("ret@example.org")


@pytest.mark.django_db
@pytest.mark.parametrize("return_url", ACCEPTED)
def test_a_registered_front_end_page_or_a_path_is_put_in_the_mail(front_end, return_url):
    response = Headless("app").signup("ret@example.org", return_url=return_url)

    assert response.status_code == 401, response.content
    message = mails_to("ret@example.org")[0]
    expected = return_url if return_url.startswith("http") else "http://localhost:3000" + return_url
    assert expected in message.body
    assert f'href="{expected.replace("&", "&amp;")}"' in message.alternatives[0][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("origin", "base"),
    [
        (FRONT_END_ORIGIN, FRONT_END_ORIGIN),
        ("https://evil.example", "http://localhost:3000"),
        (None, "http://localhost:3000"),
    ],
)
def test_paths_and_links_land_on_the_registered_front_end_the_request_came_from(front_end, origin, base):
    headers = {"Origin": origin} if origin else {}

    response = Headless("app").request_reset("nobody@example.org", return_url="/videos/7", headers=headers)

    assert response.status_code == 401
    body = mails_to("nobody@example.org")[-1].body  # "no account uses this address", with a sign-up link
    assert f"{base}/videos/7" in body
    assert f"{base}/account/signup" in body
    assert "evil" not in body
