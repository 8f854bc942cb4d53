from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class TaxonomyConfig(AppConfig):
    name = "taxonomy"
    verbose_name = _("People and topics")

    def ready(self):
        from wagtail.models import ReferenceIndex

        from cms import content_events

        from .models import Person, Topic

        # Pages show people and topics: editing one changes those pages' API answers.
        content_events.watch_snippets(Person, Topic)

        # Wagtail watches the link rows of pages one by one and queues a
        # reference-index task per saved row. In the task worker that task
        # fails (DoesNotExist, with a traceback in the log) whenever
        # publishing replaced the row before the worker reached it, as
        # modelcluster replaces inline rows. It adds nothing: the rows'
        # references are indexed as part of their page, whose own save queues
        # the page's task. Listed as tracked already (this runs before
        # Wagtail's ready()), they get no signal handlers of their own.
        ReferenceIndex.tracked_models.update(self.page_link_models())
        # Wagtail connects the handlers of every tracked model again after
        # each migration: undo it for these, after Wagtail's receiver has run
        # (connected here, at the first pre_migrate, it runs after Wagtail's).
        pre_migrate.connect(self._follow_wagtail_after_migrations, dispatch_uid="taxonomy.untrack_links")

    def page_link_models(self):
        from .models import PagePerson, PageTopic, RelatedPage

        return {PageTopic, PagePerson, RelatedPage}

    def _follow_wagtail_after_migrations(self, **kwargs):
        post_migrate.connect(self._untrack_page_links, dispatch_uid="taxonomy.untrack_links")

    def _untrack_page_links(self, **kwargs):
        from wagtail.signal_handlers import disconnect_reference_index_signal_handlers_for_model

        for model in self.page_link_models():
            disconnect_reference_index_signal_handlers_for_model(model)
