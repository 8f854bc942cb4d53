"""The e-mail address is the login, unique whatever its case."""

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User


@pytest.mark.django_db
def test_the_email_is_the_login_whatever_its_case():
    User.objects.create_user(email="ann.smith@Example.org", password="correct horse 1!A")

    assert authenticate(username="ANN.SMITH@example.ORG", password="correct horse 1!A") is not None
    assert authenticate(username="ann.smith@example.org", password="wrong") is None


@pytest.mark.django_db
def test_the_domain_is_normalised_on_creation():
    user = User.objects.create_user(email="Ann@EXAMPLE.org")

    assert user.email == "Ann@example.org"


@pytest.mark.django_db
def test_the_database_refuses_an_address_differing_only_in_case():
    User.objects.create_user(email="ann@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="ANN@example.org")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_an_address_is_required():
    with pytest.raises(ValueError, match="e-mail address is required"):
        User.objects.create_user(email="")


@pytest.mark.django_db
def test_the_admin_refuses_a_second_account_differing_only_in_case(admin_user, client):
    client.force_login(admin_user)
    User.objects.create_user(email="editor@example.org")

    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "Editor@Example.org",
            "first_name": "Second",
            "last_name": "Editor",
            "password1": "A-long-enough-pass-123",
            "password2": "A-long-enough-pass-123",
        },
    )

    assert response.status_code == 200
    assert "email" in str(response.context["form"].errors) or response.context["form"].non_field_errors()
    assert User.objects.filter(email__iexact="editor@example.org").count() == 1


@pytest.mark.django_db
def test_names_are_used_for_display():
    assert User(email="a@example.org", first_name="Ann", last_name="Smith").get_full_name() == "Ann Smith"
    assert User(email="a@example.org").get_full_name() == "a@example.org"
