"""The SMTP server goes down while people sign up, then comes back.

The sign-up answer never waits for the mail: the account and the code are
recorded, the sealed message waits in the task queue (the database backend,
as in production), and the worker retries it once the server answers again.
Nothing is half made: one account, one unverified address, and the code that
finally arrives verifies it.
"""

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from tests.accounts.conftest import CODE, Headless, isolated_cache  # noqa: F401  (an autouse fixture)
from tests.accounts.smtp import SmtpServer, text_and_html
from tests.accounts.test_email_delivery import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield server
    server.stop()


def code_in(message) -> str:
    return CODE.search(text_and_html(message)[0]).group(0)


def test_smtp_down_during_sign_up_then_back(smtp, monkeypatch):
    before = Headless("app")
    assert before.signup("before@example.org").status_code == 401
    run_worker(monkeypatch)
    assert len(smtp.inbox.wait_for("before@example.org")) == 1  # the server works

    smtp.stop()  # down, on the same port: connections are refused
    during = Headless("app")
    answer = during.signup("during@example.org")
    assert answer.status_code == 401, answer.content  # the same answer as when the mail leaves at once
    assert {"id": "verify_email", "is_pending": True} in answer.json()["data"]["flows"]
    run_worker(monkeypatch)  # the delivery fails and is rescheduled, with the same sealed message
    (retry,) = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs["args"][1] == 2 and retry.run_after > timezone.now()
    # Nothing half made: one account, its one address unverified, waiting for its code.
    user = User.objects.get(email="during@example.org")
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("during@example.org", False)
    ]
    # Signing up again meanwhile does not make a second account.
    assert Headless("app").signup("during@example.org").status_code in (400, 401, 409)
    assert User.objects.filter(email__iexact="during@example.org").count() == 1

    smtp.start()  # back, no restart of anything else
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # its time has come
    run_worker(monkeypatch)

    messages = smtp.inbox.wait_for("during@example.org")
    assert len(messages) >= 1
    assert during.verify(code_in(messages[0])).status_code == 200
    assert EmailAddress.objects.get(user=user).verified
    assert not DBTaskResult.objects.filter(status="READY").exists()
