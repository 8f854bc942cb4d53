from django.conf import settings
from django.db.models.signals import post_migrate


def create_configured_locales(sender, using="default", **kwargs):
    """Every language in WAGTAIL_CONTENT_LANGUAGES gets its Wagtail Locale on migrate.

    This is what makes adding a language configuration only: list it in
    CONTENT_LANGUAGES and the next `migrate` (run by `make run` and every
    deployment) makes it available to editors and translators.
    """
    from wagtail.models import Locale

    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.using(using).get_or_create(language_code=code)


def register(app_config):
    post_migrate.connect(create_configured_locales, sender=app_config, dispatch_uid="home_create_locales")
