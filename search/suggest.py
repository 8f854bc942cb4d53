"""Completions for what a reader is typing: titles of matching pages, then frequent words of the index.

The last word is a prefix, the words before it must match as in a search.
Titles: pages, under the request's filters, whose title holds every word,
the last one as the beginning of a word (PostgreSQL: a `tsquery` restricted
to weight A, `'word':A & 'pre':*A`, on the GIN index; elsewhere the title's
stems). Terms: the most frequent words of the vocabulary in the searched
languages starting with the last word, after the words before it. The
vocabulary counts every document of a language: terms follow the `locale`
filter, not the others (docs/search.md).
"""

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.expressions import RawSQL

from . import query_syntax, text, vocabulary

MAX_PREFIX_LENGTH = 100


def suggestions(documents, raw_query: str, languages: list[str], limit: int) -> list[dict]:
    words = query_syntax.parse(raw_query).words()
    if not words:
        return []
    before, last = words[:-1], words[-1]
    titles = _titles(documents, before, last, languages, limit)
    found = [{"text": title, "kind": "title", "id": page_id} for page_id, title in titles]
    seen = {text.fold(item["text"]) for item in found}
    for spelling in _terms(text.fold(last), languages, limit):
        completion = " ".join([*before, spelling])
        if text.fold(completion) not in seen and len(found) < 2 * limit:
            seen.add(text.fold(completion))
            found.append({"text": completion, "kind": "term", "id": None})
    return found


def _titles(documents, before: list[str], last: str, languages: list[str], limit: int) -> list[tuple[int, str]]:
    if connection.vendor == "postgresql":
        conditions, params = [], []
        for language in languages:
            # Letters and digits only (raw_words): nothing here is tsquery syntax but what is added.
            wanted = [f"{word}:A" for word in text.raw_words(text.unelide(" ".join(before), language))]
            wanted += [f"{word}:*A" for word in text.raw_words(text.unelide(last, language))[-1:]]
            conditions.append("(language = %s AND vector @@ to_tsquery(%s::regconfig, %s))")
            params += [language, text.search_config(language), " & ".join(wanted)]
        condition = RawSQL(" OR ".join(conditions), params)  # noqa: S611 (words go as parameters)
        matched = documents.filter(ExpressionWrapper(condition, output_field=BooleanField()))
    else:
        matched = documents.filter(_title_stems(before, last, languages))
    return list(matched.order_by("-date", "-page_id").values_list("page_id", "title")[:limit])


def _title_stems(before: list[str], last: str, languages: list[str]) -> Q:
    condition = Q(pk__in=[])
    for language in languages:
        stems = [text.stem(word, language) for word in text.words(" ".join(before), language)]
        language_condition = Q(language=language, terms_a__contains=" " + text.fold(last))
        for stem in stems:
            language_condition &= Q(terms_a__contains=f" {stem} ")
        condition |= language_condition
    return condition


def _terms(prefix: str, languages: list[str], limit: int) -> list[str]:
    if len(prefix) < query_syntax.MIN_PREFIX_LENGTH - 1:
        return []
    return vocabulary.completions(prefix, languages, limit)
