"""Content languages are configuration: `migrate` creates a Wagtail Locale for each one."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Locale

from home.signal_handlers import create_configured_locales

THREE_LANGUAGES = [("en", "English"), ("fr", "French"), ("de", "German")]


def language_codes():
    return set(Locale.objects.values_list("language_code", flat=True))


@pytest.mark.django_db
def test_english_and_french_locales_exist_after_migrate():
    assert language_codes() == {"en", "fr"}
    assert Locale.get_default().language_code == "en"


@pytest.mark.django_db
def test_the_handler_creates_a_locale_for_a_newly_configured_language():
    with override_settings(WAGTAIL_CONTENT_LANGUAGES=THREE_LANGUAGES, LANGUAGES=THREE_LANGUAGES):
        create_configured_locales(sender=apps.get_app_config("home"))
        german = Locale.objects.get(language_code="de")
        assert german.get_display_name() == "German"
    assert language_codes() == {"en", "fr", "de"}


@pytest.mark.django_db
def test_running_migrate_with_a_new_language_configured_creates_its_locale():
    with override_settings(WAGTAIL_CONTENT_LANGUAGES=THREE_LANGUAGES, LANGUAGES=THREE_LANGUAGES):
        call_command("migrate", verbosity=0, interactive=False)
    assert language_codes() == {"en", "fr", "de"}


@pytest.mark.django_db
def test_the_handler_is_idempotent_and_never_removes_a_locale():
    english_pk = Locale.objects.get(language_code="en").pk
    with override_settings(WAGTAIL_CONTENT_LANGUAGES=THREE_LANGUAGES, LANGUAGES=THREE_LANGUAGES):
        create_configured_locales(sender=apps.get_app_config("home"))
        create_configured_locales(sender=apps.get_app_config("home"))
    assert Locale.objects.filter(language_code="de").count() == 1
    assert Locale.objects.get(language_code="en").pk == english_pk

    # Dropping a language from the configuration leaves its locale (and its content) alone.
    english_only = [("en", "English")]
    with override_settings(WAGTAIL_CONTENT_LANGUAGES=english_only, LANGUAGES=english_only):
        create_configured_locales(sender=apps.get_app_config("home"))
    assert language_codes() == {"en", "fr", "de"}
