"""Editors' synonyms (`SearchSynonym` snippets), applied when searching, in every language.

A snippet and its translations form one group: the English `NATO` and its
French translation `OTAN` say the same, so a query with either finds pages
with either, whatever the page's language. Read on every search (one small
query), so a change is effective as soon as it is saved; the cached search
responses depend on `SYNONYMS_TAG`, bumped on every save and delete.
"""

from collections import defaultdict

from django.db import transaction

from cms.caching import ANY_CHANGE, bump, depends_on

from . import text
from .models import SearchSynonym

SYNONYMS_TAG = "search-synonyms"


def synonym_table() -> dict[tuple[str, ...], list[str]]:
    """Each term's folded words -> the other terms of its group, as written."""
    depends_on(SYNONYMS_TAG)
    groups = defaultdict(list)
    for key, terms in SearchSynonym.objects.values_list("translation_key", "terms"):
        groups[key].extend(SearchSynonym(terms=terms).term_list())
    table: dict[tuple[str, ...], list[str]] = {}
    for terms in groups.values():
        for term in terms:
            folded = tuple(text.fold(word) for word in text.raw_words(term))
            if folded:
                others = table.setdefault(folded, [])
                others.extend(other for other in terms if other != term and other not in others)
    return table


def synonyms_changed(sender, **kwargs) -> None:
    # Now, for the editor's own requests, and after commit, for answers cached by others in between.
    bump(SYNONYMS_TAG, ANY_CHANGE)
    transaction.on_commit(lambda: bump(SYNONYMS_TAG, ANY_CHANGE))
