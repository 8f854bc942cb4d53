"""The reference portal as `load_demo_content` registers it: preview route, webhook receiver, secret and key."""

import urllib.error
import urllib.request

import pytest
from wagtail.models import Site

from cms.models import FrontEnd, FrontEndAPIKey
from home.demo.portal import NAME, register_portal

KEY = "fe_0123456789abcdef_demo-portal-preview-key"
SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="


def note(*_args):
    pass


@pytest.fixture
def portal_settings(settings):
    settings.ACCOUNTS_FRONTEND_URL = "http://127.0.0.1:3000"
    settings.DEMO_PORTAL_WEBHOOK_SECRET = SECRET
    settings.DEMO_PORTAL_API_KEY = KEY
    return settings


@pytest.mark.django_db
def test_the_portal_gets_its_preview_url_webhook_url_secret_and_a_preview_key(site_tree, portal_settings):
    front_end = register_portal(note)

    front_end.refresh_from_db()
    assert front_end.site == Site.objects.get(is_default_site=True)
    assert front_end.preview_url == "http://127.0.0.1:3000/preview"
    assert front_end.webhook_url == "http://127.0.0.1:3000/api/revalidate"
    assert front_end.webhook_secret == SECRET
    assert "http://127.0.0.1:3000" in front_end.origin_list
    key = FrontEndAPIKey.objects.get(front_end=front_end)
    assert key.scopes == {"read", "preview"}
    assert key.matches(FrontEndAPIKey.parse(KEY)[1])


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_follows_a_changed_url(site_tree, portal_settings):
    register_portal(note)
    register_portal(note)
    assert FrontEnd.objects.filter(name=NAME).count() == 1
    assert FrontEndAPIKey.objects.count() == 1

    portal_settings.ACCOUNTS_FRONTEND_URL = "https://portal.example.org"
    front_end = register_portal(note)

    assert front_end.preview_url == "https://portal.example.org/preview"
    assert "https://portal.example.org" in front_end.origin_list


@pytest.mark.django_db
def test_without_secret_or_key_the_portal_keeps_its_random_secret_and_gets_no_key(site_tree, settings):
    settings.DEMO_PORTAL_WEBHOOK_SECRET = ""
    settings.DEMO_PORTAL_API_KEY = ""

    front_end = register_portal(note)

    assert front_end.webhook_secret.startswith("whsec_")
    assert not FrontEndAPIKey.objects.exists()


@pytest.mark.django_db
def test_a_malformed_key_is_refused_with_what_it_should_look_like(site_tree, portal_settings):
    portal_settings.DEMO_PORTAL_API_KEY = "not-a-key"

    with pytest.raises(ValueError, match="fe_<16 hexadecimal digits>_<secret>"):
        register_portal(note)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_rows")  # an earlier transactional test may have emptied the root page
def test_the_registered_key_is_accepted_over_http_and_a_wrong_one_is_not(live_server, site_tree, portal_settings):
    register_portal(note)

    def status(key: str) -> int:
        url = f"{live_server.url}/api/v1/sites/"
        request = urllib.request.Request(url, headers={"X-API-Key": key})  # noqa: S310 - the test server
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test's own server
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert status(KEY) == 200
    assert status(KEY[:-1] + "x") == 401
