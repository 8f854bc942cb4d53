"""From what a reader typed to what is searched: misspelt words corrected, synonyms added, clauses per language.

`plan` reads the query (`search.query_syntax`), corrects the words that no
searched language's vocabulary knows (`search.vocabulary`, PostgreSQL), adds
editors' synonyms (`search.synonyms`), builds each language's clauses and
weighs them (`search.ranking`). `did_you_mean` proposes another query when
nothing matched: each word replaced by the nearest more frequent word, if
that query finds something.
"""

from dataclasses import dataclass, field

from . import query_syntax, ranking, text, vocabulary
from .query_syntax import LanguageQuery, ParsedQuery
from .synonyms import synonym_table

# Words a prefix stands for on Wagtail's backends.
PREFIX_EXPANSIONS = 10


@dataclass
class SearchPlan:
    parsed: ParsedQuery
    # The query as searched: the reader's, or written back with the corrected words.
    searched_for: str
    queries: dict[str, LanguageQuery]
    weights: ranking.ClauseWeights = field(default_factory=ranking.ClauseWeights)
    # The clauses for one of Wagtail's backends, which applies each language's elisions and stop words itself.
    backend: LanguageQuery | None = None

    def __bool__(self):
        return any(self.queries.values())

    def highlighted_words(self) -> str:
        """Every word a result may have matched (synonyms included), for the excerpt's marks."""
        found = []
        for query in self.queries.values():
            for clause in query.clauses:
                found += [word for alternative in clause.alternatives for word in alternative]
        return " ".join(dict.fromkeys(found))

    def prefixes(self) -> set[str]:
        return {
            text.fold(clause.alternatives[0][0])
            for query in self.queries.values()
            for clause in query.clauses
            if clause.prefix
        }


def plan(raw_query: str, languages: list[str], correct: bool = True, backend: bool = False) -> SearchPlan:
    """What to search for `raw_query` in `languages`; `correct` misspelt words (the portal's index);
    `backend`: also the clauses for one of Wagtail's backends."""
    parsed = query_syntax.parse(raw_query)
    searched_for = raw_query.strip()
    typed = [text.fold(word) for word in parsed.words()]
    synonyms = synonym_table()
    if correct and typed:
        prefix = typed[-1] if parsed.open_end else None
        known = vocabulary.document_counts(languages, typed)
        # A word of an editor's synonym is meant as typed, even if no page holds it ("North Atlantic Treaty
        # Organization" must not become "organise" before it is looked up as the synonym of NATO).
        meant = {word for term in synonyms for word in term}
        corrections = vocabulary.corrections(typed, languages, known, prefix=prefix, keep=meant)
        if corrections:
            parsed = parsed.corrected(corrections)
            searched_for = parsed.as_text()
    queries = {language: query_syntax.clauses(parsed, language, synonyms) for language in languages}
    if not backend:
        return SearchPlan(parsed, searched_for, queries, _weights(queries, languages))
    neutral = query_syntax.clauses(parsed, "", synonyms)
    for clause in neutral.clauses:
        if clause.prefix:
            # Wagtail's backends have no prefix query: the most frequent words starting with it stand in,
            # as Elasticsearch's `match_phrase_prefix` expands to its `max_expansions` terms.
            found = vocabulary.completions(clause.source[0], languages, PREFIX_EXPANSIONS)
            clause.alternatives += [(word,) for word in found]
            clause.prefix = False
    return SearchPlan(parsed, searched_for, queries, backend=neutral)


def _weights(queries: dict[str, LanguageQuery], languages: list[str]) -> ranking.ClauseWeights:
    words, prefix = set(), None
    for query in queries.values():
        for clause in query.clauses:
            words |= {text.fold(word) for alternative in clause.alternatives for word in alternative}
            if clause.prefix:
                prefix = text.fold(clause.alternatives[0][0])
    if not words:
        return ranking.ClauseWeights()
    counts = vocabulary.document_counts(languages, words)
    prefix_counts = vocabulary.prefix_counts(languages, prefix) if prefix else {}
    return ranking.weigh(queries, counts, prefix_counts)


def did_you_mean(searched: SearchPlan, languages: list[str], finds_something) -> str | None:
    """Another query worth trying when `searched` found nothing, if `finds_something(plan)` says it finds."""
    replacements = {}
    for word in dict.fromkeys(text.fold(word) for word in searched.parsed.words()):
        if len(word) >= vocabulary.MIN_CORRECTED_LENGTH and not word.isdigit():
            nearest = vocabulary.nearest_word(word, languages, other_than=word)
            if nearest is not None and text.fold(nearest) != word:
                replacements[word] = nearest
    if not replacements:
        return None
    alternative = plan(searched.parsed.corrected(replacements).as_text(), languages, correct=False)
    return alternative.searched_for if alternative and finds_something(alternative) else None
