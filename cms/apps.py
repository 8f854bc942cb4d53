from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    """The shared API layer: the front-end registry, API conventions, caching and webhooks."""

    name = "cms"
    verbose_name = _("Front ends and API")

    def ready(self):
        from . import api_keys, caching, cdn, content_events, cors, translation, webhooks  # noqa: F401 - signals on import

        translation.connect()

        content_events.connect()
        content_events.listen(webhooks.queue_for_change)
