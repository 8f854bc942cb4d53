"""What a search query asks for: words, "quoted phrases", -excluded words, and the word being typed.

The only syntax is the double quote around a phrase and a minus sign before a
word or a phrase that must not appear; everything else is plain words (an
unbalanced quote is ignored, `-` inside a word such as `b-roll` is part of
it). No user text ever reaches a full-text parser as syntax: each part
becomes a list of words made of letters and digits only.

`parse` cuts the query once; `clauses` then gives, for one language, what
every result must match (`Clause`: one or more alternative word sequences,
from synonyms) and what it must not, with that language's elisions and stop
words. The last plain word of a query that does not end with a space matches
as a prefix too (`defen` finds `defence`): the reader may still be typing it.
"""

import re
from dataclasses import dataclass, field

from . import text

# A phrase in straight or typographic double quotes; a minus sign at the start of a part excludes it.
_PART = re.compile(r'(?P<minus>(?<!\S)-)?(?:["“”«](?P<phrase>[^"“”«»]*)["“”»]|(?P<word>[^\s"“”«»]+))')
# A synonym may span this many words of the query.
MAX_SYNONYM_WORDS = 4
# A prefix shorter than this would match too many words to mean anything.
MIN_PREFIX_LENGTH = 3


@dataclass
class Part:
    text: str
    phrase: bool = False
    excluded: bool = False


@dataclass
class ParsedQuery:
    parts: list[Part]
    # The query ends inside its last word (no space after it): that word may be incomplete.
    open_end: bool

    def words(self) -> list[str]:
        """Every word of the query meant to match (not excluded), as typed: for typo correction."""
        return [word for part in self.parts if not part.excluded for word in text.raw_words(part.text)]

    def corrected(self, corrections: dict[str, str]) -> "ParsedQuery":
        """The query with misspelt words (folded) replaced by the vocabulary's spelling."""

        def fix(value: str) -> str:
            return " ".join(corrections.get(text.fold(word), word) for word in text.raw_words(value))

        parts = [Part(fix(p.text) if not p.excluded else p.text, p.phrase, p.excluded) for p in self.parts]
        return ParsedQuery(parts, self.open_end)

    def as_text(self) -> str:
        """The query as it is searched, written back: `words "a phrase" -excluded`."""
        rendered = []
        for part in self.parts:
            value = " ".join(text.raw_words(part.text))
            if not value:
                continue
            value = f'"{value}"' if part.phrase else value
            rendered.append(("-" if part.excluded else "") + value)
        return " ".join(rendered)


def parse(query: str) -> ParsedQuery:
    parts, last_end = [], -1
    for found in _PART.finditer(query):
        phrase = found.group("phrase")
        value = phrase if phrase is not None else found.group("word")
        if not text.raw_words(value):
            continue  # punctuation, a lone quote or minus sign
        several = phrase is not None and len(text.raw_words(value)) > 1
        parts.append(Part(value, phrase=several, excluded=bool(found["minus"])))
        last_end = found.end() if phrase is None else -1
    # The last plain word ends the query, with a letter or digit: the reader may still be typing it.
    open_end = last_end == len(query) and bool(query) and query[-1].isalnum()
    return ParsedQuery(parts, open_end)


@dataclass
class Clause:
    """What a result must contain: any one of `alternatives` (each a sequence of words: a word or a phrase)."""

    alternatives: list[tuple[str, ...]]
    # The single word may also be the beginning of a longer word.
    prefix: bool = False
    # The folded words the clause came from in the query (for the vocabulary's document counts).
    source: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class LanguageQuery:
    clauses: list[Clause]
    excluded: list[tuple[str, ...]]

    def __bool__(self):
        return bool(self.clauses)


def clauses(parsed: ParsedQuery, language: str, synonyms: dict[tuple[str, ...], list[str]]) -> LanguageQuery:
    """The query in `language`: words as typed (accents and case kept), elisions and possessives removed.

    `synonyms` maps a folded word sequence to every way of saying it (`search.synonyms`).
    """
    stop = text.STOP_WORDS.get(language, frozenset())
    found: list[Clause] = []
    excluded: list[tuple[str, ...]] = []
    meaningful = set()  # indexes of clauses that are not stop words alone
    run: list[str] = []  # consecutive plain words, where synonyms of several words are looked for

    def words_of(value: str) -> tuple[str, ...]:
        return tuple(text.raw_words(text.unelide(value, language)))

    def alternatives_for(folded: tuple[str, ...], words: tuple[str, ...]) -> list[tuple[str, ...]]:
        others = [words_of(other) for other in synonyms.get(folded, ())]
        return list(dict.fromkeys([words, *(other for other in others if other)]))

    def flush_run():
        position = 0
        while position < len(run):
            for size in range(min(MAX_SYNONYM_WORDS, len(run) - position), 0, -1):
                span = tuple(run[position : position + size])
                folded = tuple(text.fold(word) for word in span)
                if size == 1 or folded in synonyms:
                    break
            alternatives = alternatives_for(folded, span)
            single = size == 1 and len(alternatives) == 1
            position += size
            if single and any(clause.source == folded for clause in found):
                continue  # a word repeated
            # Stop words and stray letters match nearly everything: kept only if nothing else is asked.
            if not (single and (folded[0] in stop or (len(folded[0]) < 2 and not folded[0].isdigit()))):
                meaningful.add(len(found))
            found.append(Clause(alternatives, source=folded))
        run.clear()

    for part in parsed.parts:
        words = words_of(part.text)
        if not words:
            continue
        if part.excluded:
            excluded.append(words)
        elif part.phrase:
            flush_run()
            folded = tuple(text.fold(word) for word in words)
            meaningful.add(len(found))
            found.append(Clause(alternatives_for(folded, words), source=folded))
        else:
            run.extend(words)
    last_run_words = list(run)
    flush_run()
    kept = [clause for index, clause in enumerate(found) if index in meaningful] or found
    last = kept[-1] if kept else None
    if (
        parsed.open_end
        and last is not None
        and last_run_words
        and len(last.alternatives) == 1
        and len(last.source) == 1
        and last.source[0] == text.fold(last_run_words[-1])
        and len(last.source[0]) >= MIN_PREFIX_LENGTH
    ):
        last.prefix = True
    return LanguageQuery(kept[: text.MAX_QUERY_TERMS], excluded[: text.MAX_QUERY_TERMS])
