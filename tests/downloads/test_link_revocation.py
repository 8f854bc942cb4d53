"""Attacker tests: a download link handed out before a password change, a reset, "sign out everywhere" or a
deactivation is refused afterwards, with one answer whatever the reason; a link made afterwards works."""

import json

import pytest
from django.test import Client

from accounts.models import User

from . import test_streaming
from .test_streaming import PASSWORD, assert_problem, fetch, link

master, media = test_streaming.master, test_streaming.media  # the fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def _password_change(user):
    user.set_password("An0ther-Broadcast!Day")
    user.save()


def _sign_out_everywhere(user):
    """As the person does it: the API call from a logged-in browser session."""
    client = Client()
    client.force_login(user)
    response = client.post("/api/v1/me/sign-out-everywhere")
    assert response.status_code == 204, response.content
    # The session that asked is signed out too.
    assert client.get("/api/v1/me").status_code == 401


def _deactivation(user):
    user.is_active = False
    user.save()


def _reactivate(user):
    user.refresh_from_db()
    if not user.is_active:
        user.is_active = True
        user.save()


EVENTS = {"password": _password_change, "sign_out_everywhere": _sign_out_everywhere, "deactivation": _deactivation}


@pytest.mark.parametrize("event", EVENTS)
def test_a_link_issued_before_is_refused_and_one_issued_after_works(live_server, master, event):
    assert fetch(live_server, master.url).body == master.data

    EVENTS[event](master.user)

    reply = fetch(live_server, master.url)
    assert_problem(reply, 403, "link_revoked")
    assert master.data[:64] not in reply.body
    _reactivate(master.user)
    assert fetch(live_server, master.url).status == 403  # reactivating does not bring an old link back
    master.user.refresh_from_db()
    assert fetch(live_server, link(master.name, master.user)).body == master.data


def test_every_revocation_gives_the_same_answer(live_server, media):
    """The answer says nothing of why: no way to learn that an account was disabled or changed its password."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("masters/same.mov", ContentFile(b"x" * 1000))
    bodies = {}
    for number, event in enumerate([*EVENTS, "deleted"]):
        user = User.objects.create_user(email=f"r{number}@example.org", password=PASSWORD)
        url = link(name, user)
        if event == "deleted":
            user.delete()
        else:
            EVENTS[event](user)
        reply = fetch(live_server, url)
        body = assert_problem(reply, 403, "link_revoked")
        bodies[event] = (reply.status, json.dumps(body, sort_keys=True))
    assert len(set(bodies.values())) == 1, bodies


def test_sign_out_everywhere_spares_other_accounts_links(live_server, master):
    other = User.objects.create_user(email="colleague@example.org", password=PASSWORD)
    other_url = link(master.name, other)

    _sign_out_everywhere(master.user)

    assert fetch(live_server, master.url).status == 403
    assert fetch(live_server, other_url).body == master.data


def test_sign_out_everywhere_needs_a_session():
    response = Client().post("/api/v1/me/sign-out-everywhere")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
