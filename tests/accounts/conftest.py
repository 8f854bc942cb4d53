"""Black-box helpers for the account tests: an allauth headless client of either kind, mail, a clock for codes."""

import copy
import re
import time
import uuid

import pytest
from allauth.account.internal.flows import code_verification, password_reset_by_code
from django.core import mail
from django.test import Client
from wagtail.models import Site

from accounts.models import current_terms_version
from cms.models import FrontEnd
from tests.helpers import MEMBER_PASSWORD

PASSWORD = MEMBER_PASSWORD
NEW_PASSWORD = "Fresh-Tape#2048x"
FRONT_END_ORIGIN = "https://media.example.org"
CODE = re.compile(r"\b[A-Z]{4}-[A-Z]{4}\b")


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test gets its own cache namespace: rate limits and counters never leak between tests or xdist workers."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    if caches["default"]["BACKEND"].endswith("LocMemCache"):
        caches["default"]["LOCATION"] = caches["default"]["KEY_PREFIX"]
    settings.CACHES = caches


@pytest.fixture
def front_end(db):
    site = Site.objects.get(is_default_site=True)
    return FrontEnd.objects.create(name="Media site", site=site, origins=FRONT_END_ORIGIN)


class Headless:
    """allauth's headless API as a front end uses it: `browser` (cookie + CSRF) or `app` (X-Session-Token)."""

    def __init__(self, kind: str, language: str = "en"):
        self.kind = kind
        self.language = language
        self.client = Client(enforce_csrf_checks=(kind == "browser"))
        self.session_token = None
        if kind == "browser":
            self.client.get("/_allauth/browser/v1/auth/session", HTTP_ACCEPT_LANGUAGE=language)

    def headers(self, extra=None) -> dict:
        headers = {"Accept-Language": self.language}
        if self.kind == "browser":
            token = self.client.cookies.get("csrftoken")
            if token:
                headers["X-CSRFToken"] = token.value
        elif self.session_token:
            headers["X-Session-Token"] = self.session_token
        headers.update(extra or {})
        return headers

    def url(self, path: str) -> str:
        return f"/_allauth/{self.kind}/v1{path}"

    def _remember(self, response):
        try:
            body = response.json()
        except ValueError:
            return response
        token = (body.get("meta") or {}).get("session_token")
        if token:
            self.session_token = token
        if response.status_code == 410:
            self.session_token = None
        return response

    def post(self, path, data=None, headers=None, content_type="application/json"):
        return self._remember(
            self.client.post(
                self.url(path),
                data if data is not None else {},
                content_type=content_type,
                headers=self.headers(headers),
            )
        )

    def get(self, path, headers=None):
        return self._remember(self.client.get(self.url(path), headers=self.headers(headers)))

    def delete(self, path, headers=None):
        return self._remember(self.client.delete(self.url(path), headers=self.headers(headers)))

    # The API beside allauth (/api/v1/), authenticated the same way.
    def api(self, method, path, data=None, content_type="application/json"):
        call = getattr(self.client, method)
        kwargs = {"headers": self.headers()}
        if data is not None:
            kwargs.update(data=data, content_type=content_type)
        return call(f"/api/v1{path}", **kwargs)

    # Flows
    def signup(self, email, password=PASSWORD, **fields):
        return self.post("/auth/signup", signup_data(email, password, **fields))

    def verify(self, code):
        return self.post("/auth/email/verify", {"key": code})

    def login(self, email, password=PASSWORD):
        return self.post("/auth/login", {"email": email, "password": password})

    def logout(self):
        return self.delete("/auth/session")

    def request_reset(self, email, headers=None, **fields):
        return self.post("/auth/password/request", {"email": email, **fields}, headers=headers)

    def check_reset_code(self, code):
        return self.get("/auth/password/reset", headers={"X-Password-Reset-Key": code})

    def reset(self, code, password=NEW_PASSWORD):
        return self.post("/auth/password/reset", {"key": code, "password": password})


def signup_data(email, password=PASSWORD, **fields) -> dict:
    data = {
        "email": email,
        "password": password,
        "first_name": "Ann",
        "last_name": "Lenoir",
        "organisation": "Radio Nord",
        "country": "FR",
        "language": "en",
        "terms_accepted": True,
        "terms_version": current_terms_version(),
        "newsletter": False,
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def pending_flow(response) -> str | None:
    for flow in response.json().get("data", {}).get("flows", []):
        if flow.get("is_pending"):
            return flow["id"]
    return None


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def last_code(address) -> str:
    messages = mails_to(address)
    assert messages, f"no mail to {address}"
    match = CODE.search(messages[-1].body)
    assert match, messages[-1].body
    return match.group(0)


def wrong_code(right: str) -> str:
    return "BBBB-BBBB" if right != "BBBB-BBBB" else "CCCC-CCCC"


def error_codes(response) -> list[str]:
    return [error.get("code") for error in response.json().get("errors", [])]


def errors_for(response, param) -> list[str]:
    return [error["message"] for error in response.json().get("errors", []) if error.get("param") == param]


@pytest.fixture
def no_code_mail_cooldown(settings):
    """allauth mails at most one code per address every 10 s; tests that need another one sooner lift it."""
    settings.ACCOUNTS_CODE_MAIL_COOLDOWN = 0


@pytest.fixture
def headless():
    return Headless


@pytest.fixture
def verified_user(db):
    """A media account that signed up and verified its address, through the API."""

    def make(email="ann@example.org", kind="app", **fields):
        client = Headless(kind)
        assert client.signup(email, **fields).status_code == 401
        response = client.verify(last_code(email))
        assert response.status_code == 200, response.content
        return client

    return make


class CodeClock:
    """Moves allauth's clock for codes (it reads time.time() in these two modules) forward by `offset` seconds."""

    def __init__(self):
        self.offset = 0.0

    def time(self):
        return time.time() + self.offset

    def advance(self, seconds):
        self.offset += seconds


@pytest.fixture
def code_clock(monkeypatch):
    clock = CodeClock()
    monkeypatch.setattr(code_verification, "time", clock)
    monkeypatch.setattr(password_reset_by_code, "time", clock)
    return clock
