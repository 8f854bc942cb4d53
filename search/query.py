"""Matching and ranking documents, and cutting highlighted excerpts.

Every word of the query must match (AND), in the page's own language: a
French page is matched with French rules, an English page with English ones,
whatever the reader's language. Scores weigh where a word is found: the
title (A) counts most, then the standfirst/summary, people and topics (B),
then the text (C: body, questions and answers, shots, transcript, captions).

- PostgreSQL: `vector @@ plainto_tsquery(config, words)` and `ts_rank` with
  weights D/C/B/A = 0.05/0.2/0.4/1, normalised by document length; one
  condition per language, so each uses the GIN index. The words go as typed:
  the language's configuration (`text.search_config`) folds, stems and drops
  stop words, as it did when the page was indexed.
- Other databases (SQLite): every query stem must be one of the page's stems
  (`terms_*` hold " stem stem ... "); the score adds 10 per stem in the title,
  4 in B and up to 3 for repeated occurrences in the text.
"""

import html
import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Least, Length, Replace

from . import text

RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]  # D, C, B, A
# ts_rank normalisation 1: divide by 1 + log(document length), so that long transcripts do not win by bulk.
RANK_NORMALIZATION = 1


def match(documents, query: str, languages: list[str]):
    """`documents` restricted to those matching `query`, and the score expression; (None, None) if no word."""
    if connection.vendor == "postgresql":
        return _match_postgres(documents, query, languages)
    return _match_stems(documents, query, languages)


def _match_postgres(documents, query, languages):
    condition, ranks = Q(), []
    for language in languages:
        found = text.query_words(query, language, folded=False)
        if not found:
            continue
        ts_query = SearchQuery(" ".join(found), config=text.search_config(language), search_type="plain")
        condition |= Q(language=language, vector=ts_query)
        rank = SearchRank(F("vector"), ts_query, weights=RANK_WEIGHTS, normalization=Value(RANK_NORMALIZATION))
        ranks.append(When(language=language, then=rank))
    if not ranks:
        return None, None
    return documents.filter(condition), Case(*ranks, default=Value(0.0), output_field=FloatField())


def _match_stems(documents, query, languages):
    condition, scores = Q(), []
    for language in languages:
        stems = list(dict.fromkeys(text.stem(word, language) for word in text.query_words(query, language)))
        if not stems:
            continue
        language_condition, parts = Q(language=language), []
        for stem in stems:
            token = f" {stem} "
            language_condition &= Q(terms_a__contains=token) | Q(terms_b__contains=token) | Q(terms_c__contains=token)
            parts.append(Case(When(terms_a__contains=token, then=Value(10)), default=Value(0)))
            parts.append(Case(When(terms_b__contains=token, then=Value(4)), default=Value(0)))
            occurrences = (Length("terms_c") - Length(Replace("terms_c", Value(token), Value("")))) / len(token)
            parts.append(Least(occurrences, Value(3)))
        condition |= language_condition
        score = parts[0]
        for part in parts[1:]:
            score = score + part
        scores.append(When(language=language, then=score))
    if not scores:
        return None, None
    score = Cast(Case(*scores, default=Value(0), output_field=IntegerField()), FloatField())
    return documents.filter(condition), score


# --- excerpts ----------------------------------------------------------------------------------

EXCERPT_LENGTH = 240
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def excerpt(summary: str, body: str, query: str, language: str, length: int = EXCERPT_LENGTH) -> str:
    """About `length` characters of the page's text around the words of `query`, HTML-escaped, matches in <mark>.

    The passage holding the most distinct query words wins; without any, the
    beginning of the summary (or of the text).
    """
    wanted = {text.stem(word, language) for word in text.query_words(query, language)}
    source = "\n".join(part for part in (summary, body) if part)
    if not source:
        return ""
    hits = []  # (start, end, stem)
    for token in _TOKEN.finditer(source):
        for word in text.words(token.group(), language):
            stem = text.stem(word, language)
            if stem in wanted:
                # "d'austérité": the word is marked, not the elided article.
                elided = text.ELISION.match(token.group().replace("’", "'")) if language == "fr" else None
                hits.append((token.start() + (elided.end() if elided else 0), token.end(), stem))
                break

    start = 0
    if hits:
        best = max(
            range(len(hits)),
            key=lambda i: (len({h[2] for h in hits[i:] if h[0] < hits[i][0] + length}), -i),
        )
        # A little context before the first word, from a word boundary.
        start = max(0, hits[best][0] - length // 5)
        if start:
            boundary = source.rfind(" ", 0, start + 1)
            start = boundary + 1 if boundary >= 0 else start
    end = min(len(source), start + length)
    if end < len(source):
        boundary = source.rfind(" ", start, end)
        end = boundary if boundary > start else end

    pieces, position = [], start
    for hit_start, hit_end, _stem in hits:
        if hit_start < start or hit_end > end:
            continue
        pieces.append(html.escape(source[position:hit_start], quote=False))
        pieces.append(f"<mark>{html.escape(source[hit_start:hit_end], quote=False)}</mark>")
        position = hit_end
    pieces.append(html.escape(source[position:end], quote=False))
    result = " ".join("".join(pieces).split())
    return ("… " if start else "") + result + (" …" if end < len(source) else "")
