"""Account e-mail through a real SMTP server on loopback.

HTML and text, in the user's language, retried while the server is down, and no code in the logs.
"""

import logging

import pytest
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from .conftest import CODE, Headless
from .smtp import SmtpServer, free_port, text_and_html


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def smtp_down(settings):
    """An SMTP server that is not there yet: its port refuses connections until `start()`."""
    server = SmtpServer(port=free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def database_tasks(settings):
    """The one-machine task backend: tasks wait in the database for a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker(monkeypatch):
    # The worker closes "old" connections between tasks, which would close the
    # test's transaction; the test's connection is always fresh.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    db_worker.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=20,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def application_logs(caplog) -> str:
    """Everything logged but the test SMTP server's own transcript (aiosmtpd's "mail.log")."""
    return "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
        if not record.name.startswith("mail.log")
    )


def code_in(message) -> str:
    text, _html = text_and_html(message)
    return CODE.search(text).group(0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "expiry"),
    [
        ("en", "[Media portal] Your verification code", "This code expires in 30 minutes."),
        ("fr", "[Media portal] Votre code de vérification", "Ce code expire dans 30 minutes."),
    ],
)
def test_the_verification_mail_is_html_and_text_in_the_users_language(smtp, language, subject, expiry):
    client = Headless("app")

    client.signup(f"{language}@example.org", language=language)

    (message,) = smtp.inbox.wait_for(f"{language}@example.org")
    assert message["Subject"].strip() == subject
    assert message.get_content_type() == "multipart/alternative"
    text, html = text_and_html(message)
    code = code_in(message)
    assert code in html and expiry in text and expiry in html
    assert f'lang="{language}"' in html
    assert client.verify(code).status_code == 200


@pytest.mark.django_db
def test_the_reset_mail_too(smtp, media_account):
    media_account("reset@example.org", language="fr")
    client = Headless("app", language="en")

    client.request_reset("reset@example.org")

    (message,) = smtp.inbox.wait_for("reset@example.org")
    assert message["Subject"].strip() == "[Media portal] Votre code de réinitialisation du mot de passe"
    text, _html = text_and_html(message)
    assert "Ce code expire dans 30 minutes." in text
    assert client.check_reset_code(code_in(message)).status_code == 200


@pytest.mark.django_db
def test_smtp_down_at_sign_up_then_up_the_mail_is_retried(smtp_down, database_tasks, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    client = Headless("app")

    response = client.signup("patient@example.org")
    assert response.status_code == 401  # the sign-up is recorded; the mail waits in the queue
    run_worker(monkeypatch)  # the SMTP server is down: the delivery is rescheduled
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"][1] == 2 and retry.run_after is not None

    smtp_down.start()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # its time has come
    run_worker(monkeypatch)

    (message,) = smtp_down.inbox.wait_for("patient@example.org")
    code = code_in(message)
    assert client.verify(code).status_code == 200
    # The code never appeared in clear: not in the logs, not in the queue.
    assert code not in application_logs(caplog)
    assert all(code not in str(task.args_kwargs) for task in DBTaskResult.objects.all())


@pytest.mark.django_db
def test_smtp_down_then_up_the_person_can_ask_for_a_new_code(smtp_down, no_code_mail_cooldown, caplog):
    client = Headless("app")
    assert client.signup("resend@example.org").status_code == 401  # the mail could not leave

    smtp_down.start()
    assert client.post("/auth/email/verify/resend").status_code == 200

    (message,) = smtp_down.inbox.wait_for("resend@example.org")
    assert client.verify(code_in(message)).status_code == 200


@pytest.mark.django_db
def test_codes_are_never_logged(smtp, caplog):
    caplog.set_level(logging.DEBUG)
    client = Headless("app")
    client.signup("quiet@example.org")
    verify_code = code_in(smtp.inbox.wait_for("quiet@example.org")[0])
    client.verify("BBBB-BBBB")
    client.verify(verify_code)
    client.logout()
    client = Headless("app")
    client.request_reset("quiet@example.org")
    reset_code = code_in(smtp.inbox.wait_for("quiet@example.org", count=2)[-1])
    client.check_reset_code("BBBB-BBBB")
    client.reset(reset_code, "Fresh-Tape#2048x")

    for code in (verify_code, reset_code):
        assert code not in application_logs(caplog)
        assert code.replace("-", "") not in application_logs(caplog)
