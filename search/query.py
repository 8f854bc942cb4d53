"""Matching and ranking documents, and cutting highlighted excerpts.

Every clause of the query (`search.query_syntax`: a word, a phrase, a word
with its synonyms, the word being typed as a prefix) must match, and no
excluded one, in the page's own language: a French page is matched with
French rules, an English page with English ones, whatever the reader's
language.

- PostgreSQL: one `tsquery` per language (`plainto_tsquery` per word,
  `phraseto_tsquery` per phrase, `to_tsquery('word:*')` for the prefix,
  `||` between synonyms, `&&` between clauses, `!!` before exclusions), so
  each condition uses the GIN index; the language's configuration folds,
  stems and drops stop words, as it did when the page was indexed. Ranked
  with BM25 (`search.ranking`).
- Other databases (SQLite): every clause's stems must be among the page's
  stems (`terms_*` hold " stem stem ... ", in order, so a phrase is its
  stems side by side); the score adds 10 per clause in the title, 4 in B and
  up to 3 for repeated occurrences in the text.
"""

import html
import re

from django.db import connection
from django.db.models import BooleanField, Case, ExpressionWrapper, FloatField, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Least, Length, Replace

from . import ranking, text
from .query_syntax import Clause, LanguageQuery


def match(documents, queries: dict[str, LanguageQuery], weights: ranking.ClauseWeights):
    """`documents` restricted to those matching, and the score expression; (None, None) if nothing is asked."""
    queries = {language: query for language, query in queries.items() if query}
    if not queries:
        return None, None
    if connection.vendor == "postgresql":
        return _match_postgres(documents, queries, weights)
    return _match_stems(documents, queries)


def _match_postgres(documents, queries, weights):
    conditions, condition_params, ranks, rank_params = [], [], [], []
    for language, query in queries.items():
        config = text.search_config(language)
        sql, params = ranking.ts_query(query, config)
        conditions.append(f"({ranking.LANGUAGE_COLUMN} = %s AND {ranking.VECTOR_COLUMN} @@ ({sql}))")
        condition_params += [language, *params]
        rank_sql, params = ranking.bm25(query, config, weights.for_language(language))
        ranks.append(f"WHEN {ranking.LANGUAGE_COLUMN} = %s THEN {rank_sql}")
        rank_params += [language, *params]
    condition = RawSQL(" OR ".join(conditions), condition_params)  # noqa: S611 (words go as parameters)
    score = RawSQL(f"CASE {' '.join(ranks)} ELSE 0.0 END", rank_params, output_field=FloatField())  # noqa: S611
    matched = documents.filter(ExpressionWrapper(condition, output_field=BooleanField()))
    return matched, ranking.with_freshness(score)


def _stems(words: tuple[str, ...], language: str) -> tuple[str, ...]:
    stop = text.STOP_WORDS.get(language, frozenset())
    found = [text.stem(text.fold(word), language) for word in words]
    kept = [stem for stem, word in zip(found, words, strict=True) if text.fold(word) not in stop]
    return tuple(kept or found)


def _anywhere(token: str) -> Q:
    return Q(terms_a__contains=token) | Q(terms_b__contains=token) | Q(terms_c__contains=token)


def _clause_tokens(clause: Clause, language: str) -> list[str]:
    """The substrings of `terms_*` any of which satisfies the clause: " stem " or " stem stem "; " prefix"."""
    tokens = [f" {' '.join(_stems(alternative, language))} " for alternative in clause.alternatives]
    if clause.prefix:
        tokens.append(" " + text.fold(clause.alternatives[0][0]))
    return list(dict.fromkeys(tokens))


def _match_stems(documents, queries):
    condition, scores = Q(), []
    for language, query in queries.items():
        language_condition, parts = Q(language=language), []
        for clause in query.clauses:
            tokens = _clause_tokens(clause, language)
            found = Q()
            for token in tokens:
                found |= _anywhere(token)
            language_condition &= found
            token = tokens[0]
            parts.append(Case(When(terms_a__contains=token, then=Value(10)), default=Value(0)))
            parts.append(Case(When(terms_b__contains=token, then=Value(4)), default=Value(0)))
            occurrences = (Length("terms_c") - Length(Replace("terms_c", Value(token), Value("")))) / len(token)
            parts.append(Least(occurrences, Value(3)))
        for words in query.excluded:
            language_condition &= ~_anywhere(f" {' '.join(_stems(words, language))} ")
        condition |= language_condition
        score = parts[0]
        for part in parts[1:]:
            score = score + part
        scores.append(When(language=language, then=score))
    score = Cast(Case(*scores, default=Value(0), output_field=IntegerField()), FloatField())
    return documents.filter(condition), score


# --- excerpts ----------------------------------------------------------------------------------

EXCERPT_LENGTH = 240
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def excerpt(
    summary: str, body: str, query: str, language: str, length: int = EXCERPT_LENGTH, prefixes: frozenset = frozenset()
) -> str:
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
            if stem in wanted or any(word.startswith(prefix) for prefix in prefixes):
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
