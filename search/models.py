from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import TranslatableField

from .api_backend import api_backend_name

# The analyser of each language with its own rules in Elasticsearch/OpenSearch (defined in the backend's
# INDEX_SETTINGS, cms/settings/parsing.py); any other language is only folded and lower-cased.
LANGUAGE_ANALYSERS = {"fr": "portal_french", "en": "portal_english"}
OTHER_LANGUAGES = "other"
FOLDING_ANALYSER = "portal_folding"
# Boosts as Wagtail's backends weigh them. On PostgreSQL, Wagtail's database backend turns the boosts of every
# indexed model together into the four tsvector weights: 10 (page titles) and 2 (standfirsts, names) are the
# ones the project already uses, so SearchDocument adds no boost that would shift other models' weights.
TITLE_BOOST = 10
SUMMARY_BOOST = 2


class WordsInLanguage:
    """A document's words of one part (`title`, `summary` or `text`), when the document is in `language`.

    Each Elasticsearch/OpenSearch field then holds one language only and is
    analysed with that language's rules (the field's `es_extra` analyser); for
    a document in another language the field is empty.
    """

    def __init__(self, part: str, language: str):
        self.part, self.language = part, language

    def __get__(self, document, owner=None):
        if document is None:
            return self
        return document.words(self.part) if document.analysed_as == self.language else ""


def _language_fields():
    languages = {**LANGUAGE_ANALYSERS, OTHER_LANGUAGES: FOLDING_ANALYSER}
    for language, analyser in languages.items():
        extra = {"es_extra": {"analyzer": analyser}}
        yield index.SearchField(f"title_{language}", boost=TITLE_BOOST, **extra)
        yield index.SearchField(f"summary_{language}", boost=SUMMARY_BOOST, **extra)
        yield index.SearchField(f"text_{language}", **extra)


class SearchDocument(index.Indexed, models.Model):
    """One published page as the search sees it: its words by weight, in its own language.

    `title`, `summary` and `body` keep the readable text excerpts are cut
    from; `metadata_b`/`metadata_c` the words indexed but never shown (names
    of linked topics and people, places, credits). On PostgreSQL `vector`
    holds the weighted `tsvector` built with the language's text search
    configuration; on other databases `terms_a/b/c` hold the page's stems
    (" stem stem ... ") matched word by word.

    When `SEARCH_API_BACKEND` names one of Wagtail's backends, the documents
    are also indexed there (`search.index` sends them; `search_fields` say
    how): per-language fields analysed with each language's rules on
    Elasticsearch/OpenSearch, and the filters and facets of the endpoint.
    """

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("page")
    )
    locale = models.ForeignKey("wagtailcore.Locale", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language"), max_length=16)
    page_type = models.CharField(_("page type"), max_length=100, db_index=True)
    date = models.DateTimeField(_("date"), db_index=True)
    title = models.TextField(_("title"))
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body text"), blank=True)
    # Words indexed but never shown in excerpts: of weight B (linked topics' and people's names, the event)
    # and C/D (speakers, place, dateline, credits). Wagtail's backends analyse them with the rest.
    metadata_b = models.TextField(blank=True, default="")
    metadata_c = models.TextField(blank=True, default="")
    # Translation keys of the linked topics: the topic facet of Elasticsearch/OpenSearch counts them.
    topic_keys = models.JSONField(default=list, blank=True)
    terms_a = models.TextField(blank=True)
    terms_b = models.TextField(blank=True)
    terms_c = models.TextField(blank=True)
    vector = SearchVectorField(null=True)
    # How many words the page has (positions in the vector): the length BM25 normalises for (search.ranking).
    length = models.PositiveIntegerField(default=0)
    indexed_at = models.DateTimeField(_("indexed at"))

    # search.index sends documents to Wagtail's backend in bulk; per-row signals would add a query per row.
    search_auto_update = False
    search_fields = [
        # Wagtail's database backends index one "title" column and one "body" (every other SearchField).
        index.SearchField("title", boost=TITLE_BOOST),
        *_language_fields(),
        index.FilterField("page"),
        index.FilterField("locale"),
        index.FilterField("language"),
        index.FilterField("page_type"),
        index.FilterField("date"),
        index.FilterField("topic_keys"),
    ]

    title_fr = WordsInLanguage("title", "fr")
    summary_fr = WordsInLanguage("summary", "fr")
    text_fr = WordsInLanguage("text", "fr")
    title_en = WordsInLanguage("title", "en")
    summary_en = WordsInLanguage("summary", "en")
    text_en = WordsInLanguage("text", "en")
    title_other = WordsInLanguage("title", OTHER_LANGUAGES)
    summary_other = WordsInLanguage("summary", OTHER_LANGUAGES)
    text_other = WordsInLanguage("text", OTHER_LANGUAGES)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [models.Index(fields=["locale", "date"], name="search_doc_locale_date")]

    def __str__(self):
        return self.title

    @property
    def analysed_as(self) -> str:
        return self.language if self.language in LANGUAGE_ANALYSERS else OTHER_LANGUAGES

    def words(self, part: str) -> str:
        """The words of `part` as written: `title`; `summary` (weight B); `text` (every word of the page).

        `text` repeats the title and summary so that one field holds every word: Wagtail's Elasticsearch
        query asks for all the query's words in one field, and the title and summary fields only add weight.
        """
        parts = {
            "title": [self.title],
            "summary": [self.summary, self.metadata_b],
            "text": [self.title, self.summary, self.metadata_b, self.body, self.metadata_c],
        }[part]
        return "\n".join(value for value in parts if value)

    @classmethod
    def get_indexed_objects(cls):
        # Wagtail's backends need the documents only when one of them serves /api/v1/search/; otherwise
        # `update_index` gives them none (it cannot ask per backend: any other one listed gets them too).
        return super().get_indexed_objects() if api_backend_name() else cls.objects.none()


class VocabularyWord(models.Model):
    """A word of the index in one language, and in how many documents it is: what typos are corrected to.

    `word` is folded (`capacites`), `spelling` as it is written (`capacités`);
    `documents` weighs each query word in the ranking (rare words count more).
    Kept in step with the documents by `search.vocabulary` in the same
    transaction; on PostgreSQL a trigram index (`pg_trgm`) finds the words
    nearest to a misspelt one, and the words that start with a prefix.
    """

    language = models.CharField(_("language"), max_length=16)
    word = models.CharField(_("word"), max_length=100)
    spelling = models.CharField(_("spelling"), max_length=100)
    # May go below zero for a moment inside one upsert of a batch (search.vocabulary): no CHECK constraint.
    documents = models.IntegerField(_("documents"), default=0)

    class Meta:
        verbose_name = _("vocabulary word")
        verbose_name_plural = _("vocabulary words")
        constraints = [models.UniqueConstraint(fields=["language", "word"], name="search_vocabulary_word_unique")]

    def __str__(self):
        return self.spelling


class SearchSynonym(TranslatableMixin, models.Model):
    """Words or phrases that mean the same to a reader, e.g. NATO, OTAN; SG, secrétaire général.

    Applied when searching, in every language: a query with one of the terms
    finds pages with any of them, and with any term of the snippet's
    translations (the English `NATO` and its French translation `OTAN` are one
    group). Effective as soon as it is saved.
    """

    terms = models.TextField(
        _("equivalent terms"),
        help_text=_("Words or phrases that mean the same, separated by commas or on separate lines."),
    )

    translatable_fields = [TranslatableField("terms")]
    panels = [FieldPanel("terms")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self):
        return ", ".join(self.term_list())

    def term_list(self) -> list[str]:
        return [term.strip() for term in self.terms.replace("\n", ",").split(",") if term.strip()]
