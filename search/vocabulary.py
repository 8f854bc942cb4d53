"""The index's vocabulary per language: kept in step with the documents; what misspelt words are corrected to.

Each `VocabularyWord` counts the documents that hold a word. `count_changes`
adds the words of documents written and subtracts those of documents
replaced or removed, in the same transaction (one upsert per batch);
`recount` rebuilds it whole (`update_index`).

Correcting (`corrections`): a query word that no searched language's
vocabulary holds is replaced by the most similar word that it does, by
trigram similarity (PostgreSQL's `pg_trgm`, migration 0005): of the most
similar candidates, the one fewest edits away (a swap of two letters is one
edit: `cabels` is nearer `cables` than `calls`, which trigrams rank alike),
then the most similar, then the most frequent. On other databases nothing is corrected (no
trigram index; see docs/search.md).
"""

from collections import Counter
from collections.abc import Iterable

from django.db import connection
from django.db.models import Sum
from rapidfuzz.distance import OSA

from . import text
from .models import SearchDocument, VocabularyWord

# Words shorter than this are too ambiguous to correct ("otna" is as near to "otan" as to "etna").
MIN_CORRECTED_LENGTH = 4
# Trigram similarity (0-1) a correction needs, set as pg_trgm's threshold for `%` (which uses the index). Below
# pg_trgm's default (0.3), because a swap of two letters in a short word costs it many trigrams (`cabels` and
# `cables` share 3 of 11: 0.27); the edit distance then decides among the candidates.
MIN_SIMILARITY = 0.25
# The most edits a correction may be from the typed word: 2, or a third of a long word.
MIN_EDITS_ALLOWED = 2
# How many of the most similar words are weighed by edit distance.
CANDIDATES = 10
MAX_WORD_LENGTH = 100
TEXT_FIELDS = ("language", "title", "summary", "body", "metadata_b", "metadata_c")


def document_words(document: SearchDocument) -> dict[str, str]:
    """The words of a document worth correcting to: folded -> as written (lower case), stop words left out."""
    language = document.language
    stop = text.STOP_WORDS.get(language, frozenset())
    found = {}
    for word in text.raw_words(text.unelide(document.words("text"), language)):
        key = text.fold(word)
        if 2 <= len(key) <= MAX_WORD_LENGTH and not key.isdigit() and key not in stop:
            found.setdefault(key, word.lower())
    return found


def count_changes(removed: Iterable[SearchDocument], added: Iterable[SearchDocument]) -> None:
    delta, spellings = Counter(), {}
    for document in removed:
        for key in document_words(document):
            delta[(document.language, key)] -= 1
    for document in added:
        for key, spelling in document_words(document).items():
            delta[(document.language, key)] += 1
            spellings.setdefault((document.language, key), spelling)
    rows = [(lang, key, spellings.get((lang, key), key), n) for (lang, key), n in sorted(delta.items()) if n]
    _upsert(rows)
    if any(n < 0 for *_rest, n in rows):
        VocabularyWord.objects.filter(documents__lte=0).delete()


def recount() -> int:
    """Count the vocabulary again from every document; returns the number of words."""
    counts, spellings = Counter(), {}
    for document in SearchDocument.objects.only(*TEXT_FIELDS).iterator(chunk_size=500):
        for key, spelling in document_words(document).items():
            counts[(document.language, key)] += 1
            spellings.setdefault((document.language, key), spelling)
    VocabularyWord.objects.all().delete()
    _upsert([(language, key, spellings[(language, key)], n) for (language, key), n in sorted(counts.items())])
    return len(counts)


def _upsert(rows: list[tuple[str, str, str, int]]) -> None:
    if not rows:
        return
    table = VocabularyWord._meta.db_table
    conflict = f"ON CONFLICT (language, word) DO UPDATE SET documents = {table}.documents + excluded.documents"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (language, word, spelling, documents) VALUES (%s, %s, %s, %s) " + conflict,  # noqa: S608
            rows,
        )


def document_counts(languages: list[str], words: Iterable[str]) -> dict[tuple[str, str], int]:
    """(language, folded word) -> how many documents hold it, for the words the vocabulary knows."""
    rows = VocabularyWord.objects.filter(language__in=languages, word__in=set(words))
    return {(language, word): n for language, word, n in rows.values_list("language", "word", "documents")}


def prefix_counts(languages: list[str], prefix: str) -> dict[str, int]:
    """language -> documents of the words starting with `prefix` (summed: an upper bound)."""
    rows = VocabularyWord.objects.filter(language__in=languages, word__startswith=prefix).values("language")
    return {row["language"]: row["total"] for row in rows.annotate(total=Sum("documents"))}


def completions(prefix: str, languages: list[str], limit: int) -> list[str]:
    """The most frequent words (as written) starting with `prefix`, other than the prefix itself."""
    rows = VocabularyWord.objects.filter(language__in=languages, word__startswith=prefix).exclude(word=prefix)
    spellings = rows.order_by("-documents", "word").values_list("spelling", flat=True)[: 2 * limit]
    return list(dict.fromkeys(spellings))[:limit]


def corrections(
    words: list[str], languages: list[str], known: dict, prefix: str | None = None, keep: frozenset | set = frozenset()
) -> dict[str, str]:
    """Folded misspelt word -> the vocabulary's nearest word, as written; for words no language knows.

    `known` is `document_counts` of the words; `prefix` the word being typed, never corrected if some
    word starts with it; `keep` folded words never corrected (the words of editors' synonyms).
    """
    if connection.vendor != "postgresql":
        return {}
    found = {}
    known_words = {word for _language, word in known} | set(keep)
    for word in dict.fromkeys(words):
        if len(word) < MIN_CORRECTED_LENGTH or word.isdigit() or word in known_words or len(word) > MAX_WORD_LENGTH:
            continue
        if word == prefix and VocabularyWord.objects.filter(language__in=languages, word__startswith=word).exists():
            continue
        nearest = nearest_word(word, languages)
        if nearest is not None:
            found[word] = nearest
    return found


def nearest_word(word: str, languages: list[str], other_than: str | None = None) -> str | None:
    if connection.vendor != "postgresql":
        return None  # no trigram index
    table = VocabularyWord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, false)", [str(MIN_SIMILARITY)])
        cursor.execute(
            f"SELECT word, spelling, similarity(word, %s) AS near, documents FROM {table} "  # noqa: S608
            "WHERE language = ANY(%s) AND word %% %s AND word <> %s AND similarity(word, %s) >= %s "
            "ORDER BY near DESC, documents DESC, word LIMIT %s",
            [word, languages, word, other_than or "", word, MIN_SIMILARITY, CANDIDATES],
        )
        rows = cursor.fetchall()
    edits = {row[0]: OSA.distance(word, row[0]) for row in rows}
    near_enough = [row for row in rows if edits[row[0]] <= max(MIN_EDITS_ALLOWED, len(word) // 3)]
    if not near_enough:
        return None
    best = min(near_enough, key=lambda row: (edits[row[0]], -row[2], -row[3], row[0]))
    return best[1]
