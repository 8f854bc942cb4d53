"""Translating demo content the way a translator would: through wagtail-localize.

The translation is recorded segment by segment (TranslationSource, Translation,
StringTranslation), so the translation editor later shows every string of the
demo already translated and editable, PO export gives them back, and "Sync
translated pages" works as for any other page.
"""

from collections.abc import Mapping

from django.db import transaction
from wagtail.models import DraftStateMixin, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.strings import StringValue


class MissingTranslationText(LookupError):
    """A source segment has no text in the given translations: the demo would be half-translated."""

    def __init__(self, instance, texts: list[str]):
        self.texts = texts
        listed = "\n".join(f"  - {text!r}" for text in texts)
        super().__init__(f"No translation given for {len(texts)} segment(s) of {instance!r}:\n{listed}")


def translate(instance, locale, texts: Mapping[str, str], *, user=None):
    """Create or update ``instance``'s translation into ``locale`` from ``texts`` (source text -> translation).

    Every string segment must have its translation in ``texts``, keyed by its
    plain text; otherwise MissingTranslationText is raised and nothing is
    saved. Pages are published; returns the translated instance.
    """
    # Atomic on its own: a missing text must not leave a half-filled translation behind.
    with transaction.atomic():
        source, _created = TranslationSource.update_or_create_from_instance(instance)
        translation, _created = Translation.objects.get_or_create(source=source, target_locale=locale)

        segments = list(
            StringSegment.objects.filter(source=source).select_related("string", "context").order_by("order")
        )
        missing = []
        for segment in segments:
            text = StringValue(segment.string.data).render_text()
            if text not in texts:
                missing.append(text)
        if missing:
            raise MissingTranslationText(instance, missing)

        for segment in segments:
            text = StringValue(segment.string.data).render_text()
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": StringValue.from_plaintext(texts[text]).data,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                    "last_translated_by": user,
                },
            )

        publish_now = isinstance(instance, Page | DraftStateMixin)
        # save_target(publish=True) would publish pages in transaction.on_commit:
        # after the loader's all-or-nothing transaction, and never inside a test's.
        # Saving a draft and publishing it here keeps the whole load in one unit.
        translation.save_target(user=user, publish=not publish_now)
        target = source.get_translated_instance(locale)
        if publish_now:
            target = target.specific if isinstance(target, Page) else target
            target.get_latest_revision().publish(user=user)
            target.refresh_from_db()
        return target
