from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One published page as the search sees it: its words by weight, in its own language.

    `title`, `summary` and `body` keep the readable text excerpts are cut
    from. On PostgreSQL `vector` holds the weighted `tsvector` built with the
    language's text search configuration; on other databases `terms_a/b/c`
    hold the page's stems (" stem stem ... ") matched word by word.
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
    terms_a = models.TextField(blank=True)
    terms_b = models.TextField(blank=True)
    terms_c = models.TextField(blank=True)
    vector = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(_("indexed at"))

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [models.Index(fields=["locale", "date"], name="search_doc_locale_date")]

    def __str__(self):
        return self.title
