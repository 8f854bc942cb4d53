"""Ranking on PostgreSQL: BM25 over the weighted vector, so that the piece about a subject beats a passing mention.

For each clause of the query (a word, a phrase, a word with its synonyms):

    score += idf * (k1 + 1) * tf / (tf + k1 * (1 - b + b * length / average length))

- `tf` is the clause's occurrences weighted by where they are, which is what
  `ts_rank_cd(weights, vector, clause, 0)` computes for one clause (each
  occurrence is a cover worth its weight): title (A) 1, standfirst/summary,
  people and topics (B) 0.5, text (C) 0.25 — so a word in the title counts as
  four in the body, and twenty mentions in a long article count more than
  one in a short summary, with diminishing returns (`k1`).
- `length` is the page's number of words (`SearchDocument.length`): a long
  page needs more mentions for the same score (`b`), without the blanket
  penalty of `ts_rank`'s length normalisation (which made short video
  summaries beat the article about the subject).
- `idf` comes from the vocabulary's document counts: a rare word of the query
  (`austérité`) weighs more than a common one (`défense`).

A mild freshness boost for news (`SEARCH_NEWS_FRESHNESS_BOOST`, off by default)
multiplies a news article's score by up to 1 + boost, halving every
`SEARCH_NEWS_FRESHNESS_HALF_LIFE_DAYS`.
"""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, FloatField
from django.db.models.expressions import RawSQL

from .models import SearchDocument
from .query_syntax import Clause, LanguageQuery

K1 = 1.2
B = 0.5
# ts_rank_cd weights of D, C, B, A.
FIELD_WEIGHTS = "{0.1,0.25,0.5,1.0}"
# The word being typed: an exact match counts fully, a longer word starting with it half.
PREFIX_SHARE = 0.5
TABLE = SearchDocument._meta.db_table
# Unqualified: the match set is also used as a subquery (facets), where Django aliases the table.
LANGUAGE_COLUMN = "language"
VECTOR_COLUMN = "vector"
LENGTH_COLUMN = "length"
STATISTICS_KEY = "search:corpus-statistics"
# Document counts and average lengths move slowly: recomputed at most this often (seconds).
STATISTICS_TIMEOUT = 300


@dataclass
class LanguageWeights:
    idf: list[float] = field(default_factory=list)
    average_length: float = 1.0


@dataclass
class ClauseWeights:
    by_language: dict[str, LanguageWeights] = field(default_factory=dict)

    def for_language(self, language: str) -> LanguageWeights:
        return self.by_language.get(language, LanguageWeights())


def corpus_statistics() -> dict[str, tuple[int, float]]:
    """language -> (documents, average length), cached for a few minutes."""
    found = cache.get(STATISTICS_KEY)
    if found is None:
        rows = SearchDocument.objects.values("language").annotate(n=Count("pk"), average=Avg("length"))
        found = {row["language"]: (row["n"], float(row["average"] or 1.0)) for row in rows.order_by()}
        cache.set(STATISTICS_KEY, found, STATISTICS_TIMEOUT)
    return found


def weigh(queries: dict[str, LanguageQuery], counts: dict, prefix_counts: dict) -> ClauseWeights:
    """Each clause's idf per language, from the vocabulary's counts (`search.vocabulary.document_counts`)."""
    from . import text

    statistics = corpus_statistics()
    weights = ClauseWeights()
    for language, query in queries.items():
        total, average = statistics.get(language, (0, 1.0))
        idfs = []
        for clause in query.clauses:
            frequency = 0.0
            for alternative in clause.alternatives:
                words = [text.fold(word) for word in alternative]
                # A phrase is as rare as its rarest word; a word the vocabulary lacks (a stop word), as rare as can be.
                frequency += min(counts.get((language, word), 0) for word in words)
            if clause.prefix:
                frequency = max(frequency, prefix_counts.get(language, 0))
            frequency = min(frequency, total)
            idfs.append(math.log(1 + (total - frequency + 0.5) / (frequency + 0.5)))
        weights.by_language[language] = LanguageWeights(idfs, max(average, 1.0))
    return weights


def _alternative(words: tuple[str, ...], config: str) -> tuple[str, list]:
    function = "plainto_tsquery" if len(words) == 1 else "phraseto_tsquery"
    return f"{function}(%s::regconfig, %s)", [config, " ".join(words)]


def clause_query(clause: Clause, config: str, prefix: bool = True) -> tuple[str, list]:
    sql, params = [], []
    for alternative in clause.alternatives:
        part, part_params = _alternative(alternative, config)
        sql.append(part)
        params += part_params
    if prefix and clause.prefix:
        # Letters and digits only (query_syntax): nothing here is tsquery syntax but the `:*` added.
        sql.append("to_tsquery(%s::regconfig, %s)")
        params += [config, clause.alternatives[0][0] + ":*"]
    return "(" + " || ".join(sql) + ")", params


def ts_query(query: LanguageQuery, config: str) -> tuple[str, list]:
    """The `tsquery` of every clause (&&) and no exclusion (!!)."""
    sql, params = [], []
    for clause in query.clauses:
        part, part_params = clause_query(clause, config)
        sql.append(part)
        params += part_params
    for words in query.excluded:
        part, part_params = _alternative(words, config)
        sql.append(f"!!{part}")
        params += part_params
    return " && ".join(sql), params


def _occurrences(ts_query_sql: str) -> str:
    """The clause's occurrences, each worth its field's weight (one cover per occurrence, normalisation 0)."""
    return f"ts_rank_cd('{FIELD_WEIGHTS}'::float4[], {VECTOR_COLUMN}, {ts_query_sql}, 0)"


def bm25(query: LanguageQuery, config: str, weights: LanguageWeights) -> tuple[str, list]:
    terms, params = [], []
    for clause, idf in zip(query.clauses, weights.idf, strict=True):
        exact, exact_params = clause_query(clause, config, prefix=False)
        tf = _occurrences(exact)
        tf_params = exact_params
        if clause.prefix:
            typed, typed_params = clause_query(clause, config)
            tf = f"({1 - PREFIX_SHARE} * {tf} + {PREFIX_SHARE} * {_occurrences(typed)})"
            tf_params = exact_params + typed_params
        norm = f"({K1} * (1 - {B} + {B} * {LENGTH_COLUMN} / %s))"
        # (k1 + 1) tf / (tf + norm), written with tf once so that it is computed once per row.
        terms.append(f"%s * {K1 + 1} * (1 - {norm} / ({tf} + {norm} + 1e-9))")
        params += [idf, weights.average_length, *tf_params, weights.average_length]
    return "(" + " + ".join(terms) + ")", params


def with_freshness(score):
    boost = settings.SEARCH_NEWS_FRESHNESS_BOOST
    if not boost:
        return score
    half_life = settings.SEARCH_NEWS_FRESHNESS_HALF_LIFE_DAYS
    freshness = RawSQL(
        "CASE WHEN page_type = %s THEN 1 + %s * power(0.5, "
        "greatest(0.0, extract(epoch FROM (now() - date)) / 86400.0) / %s) ELSE 1 END",
        ["news.NewsArticlePage", float(boost), float(half_life)],
        output_field=FloatField(),
    )
    return score * freshness
