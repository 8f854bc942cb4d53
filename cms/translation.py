"""Adjustments to wagtail-localize, each for a defect met in this project.

wagtail-localize copies a page title's translation into the page's
`draft_title` (a varchar(255)) as soon as the translator types it. A longer
translation makes PostgreSQL refuse the UPDATE and the translation editor
answers 500 (SQLite does not enforce lengths, so it only shows there). The
translator must instead be able to save the string and be told, on publish,
that the title is too long — which wagtail-localize's validation then does.
"""

from django.db.models.signals import post_save
from wagtail.models import Page
from wagtail_localize.models import StringTranslation, post_save_string_translation

DRAFT_TITLE_LENGTH = Page._meta.get_field("draft_title").max_length


def update_draft_title(instance, **kwargs):
    if instance.context.path == "title":
        Page.objects.filter(translation_key=instance.context.object_id, locale_id=instance.locale_id).update(
            draft_title=instance.data[:DRAFT_TITLE_LENGTH]
        )


def connect() -> None:
    post_save.disconnect(post_save_string_translation, sender=StringTranslation)
    post_save.connect(update_draft_title, sender=StringTranslation, dispatch_uid="cms_update_draft_title")
