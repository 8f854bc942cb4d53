from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideosConfig(AppConfig):
    name = "videos"
    verbose_name = _("Videos")

    def ready(self):
        from . import signal_handlers

        signal_handlers.register()
        # A video's state, facts, poster and proxy are part of its pages' API answers: each save of it (the
        # ingest finishing, a master replaced) is a content change, so cached answers showing it go stale.
        from cms.content_events import watch_snippets

        from .models import Video

        watch_snippets(Video)
