"""Words as the search index sees them: split, elisions removed, per language; folded and lightly stemmed where needed.

On PostgreSQL the database applies each language's rules: the text search
configurations `portal_<language>` (migration 0002) fold accents with the
`unaccent` extension, lower case, stem with Snowball and drop stop words, at
indexing and at query time alike. Python only removes what PostgreSQL's
parser would keep (French elisions such as `lorsqu'`, English possessives)
and picks the query's words (`unelide`, `query_words(..., folded=False)`).

The portable index (SQLite and any other database) and the excerpt
highlighter fold (`fold`: Unicode decomposition plus the letters `unaccent`
also folds, such as `œ`, `ß`, `ø`, `ł`) and stem (`stem`,
light stemmers) in Python; the same functions prepare the indexed text and
the query, so both sides always agree.

Nothing a user types reaches a full-text parser as syntax: a query becomes a
list of words made of letters and digits only.
"""

import re
import unicodedata

# PostgreSQL's text search configurations by language code; other languages use
# "simple" (folding and splitting, no stemming, no stop words). Each has an
# accent-folding copy, `portal_<name>`, created by a migration: a language
# added here needs a migration that creates its copy.
LANGUAGE_CONFIGS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}


def search_config(language: str) -> str:
    """The text search configuration that indexes and searches pages in `language` on PostgreSQL."""
    return f"portal_{LANGUAGE_CONFIGS.get(language, 'simple')}"


MAX_QUERY_LENGTH = 256
# More words than this in one query only slow it down without changing what matches.
MAX_QUERY_TERMS = 16

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})
# Letters that Unicode does not decompose into a base letter and a mark, folded as `unaccent` folds them.
_UNDECOMPOSED = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
    | {"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i"}
)
# French elided articles and pronouns glued to the next word: l'Alliance, d'experts, qu'il, jusqu'à.
ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|lorsqu|puisqu|jusqu|quoiqu|presqu)'(?=\w)", re.IGNORECASE)
# English possessives: NATO's, Allies'.
_POSSESSIVE = re.compile(r"(?<=\w)'s?\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")

# Short lists, for the portable index and to keep queries made only of them meaningful.
_ENGLISH_STOP_WORDS = """
a an and are as at be but by for from has have he her his i in into is it its of on or our she that the
their them there these they this to was we were which will with you your
"""
_FRENCH_STOP_WORDS = """
a au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur leurs lui mais me meme mes
moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos
votre vous y ete etre
"""
STOP_WORDS = {"en": frozenset(_ENGLISH_STOP_WORDS.split()), "fr": frozenset(_FRENCH_STOP_WORDS.split())}


def fold(text: str) -> str:
    """Lower case without accents or ligatures: `Capacités` -> `capacites`, `œuvre` -> `oeuvre`."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def unelide(text: str, language: str) -> str:
    """`text` without French elisions or English possessives, accents and case kept: what PostgreSQL receives."""
    # Composed, so that an accented letter is one letter to the word pattern and to PostgreSQL's parser.
    text = unicodedata.normalize("NFC", text.translate(_APOSTROPHES))
    if language == "fr":
        text = ELISION.sub("", text)
    elif language == "en":
        text = _POSSESSIVE.sub("", text)
    return text


def prepare(text: str, language: str) -> str:
    """Folded text with elisions and possessives removed."""
    return fold(unelide(text, language))


def words(text: str, language: str) -> list[str]:
    """The folded words of `text`, in order."""
    return _WORD.findall(prepare(text, language))


def query_words(query: str, language: str, folded: bool = True) -> list[str]:
    """The words of a query worth matching: stop words dropped (unless nothing else is left), duplicates once.

    Folded (`Capacités` -> `capacites`) unless `folded` is false: then as typed, for a database that folds.
    """
    if folded:
        candidates = [(word, word) for word in words(query, language)]
    else:
        candidates = [(fold(word), word) for word in _WORD.findall(unelide(query, language))]
    found = {}  # folded word -> the word to match
    for key, word in candidates:
        found.setdefault(key, word)
    stop = STOP_WORDS.get(language, frozenset())
    # Stray letters ("l" of an elision in a language without elisions) match nearly everything.
    meaningful = [word for key, word in found.items() if key not in stop and (len(key) > 1 or key.isdigit())]
    return (meaningful or list(found.values()))[:MAX_QUERY_TERMS]


# A word for a search backend that analyses text itself: an apostrophe inside it is kept, so that the
# backend's elision and possessive rules see `l'Alliance` and `NATO's` whole.
_BACKEND_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def backend_query(query: str) -> str:
    """The query for one of Wagtail's backends: its words only, once each, separated by spaces.

    Whatever the backend's query syntax (FTS5, `tsquery`, Elasticsearch's
    `match`), it receives nothing but letters, digits and inner apostrophes;
    folding, elisions, stemming and stop words are the backend's own rules.
    """
    composed = unicodedata.normalize("NFC", query.translate(_APOSTROPHES))
    found = dict.fromkeys(_BACKEND_WORD.findall(composed))
    return " ".join(list(found)[:MAX_QUERY_TERMS])


def raw_words(value: str) -> list[str]:
    """The words of `value` as typed (composed, accents and case kept): runs of letters and digits."""
    return _WORD.findall(unicodedata.normalize("NFC", value.translate(_APOSTROPHES)))


def stem(word: str, language: str) -> str:
    """A light stemmer: inflections (plural, feminine, common verb endings) collapse to one form."""
    if word.isdigit() or len(word) <= 3:
        return word
    if language == "fr":
        return _stem_french(word)
    if language == "en":
        return _stem_english(word)
    return word


def _stem_french(word: str) -> str:
    # Savoy's light French stemmer, on folded words: généraux -> general, ministres -> ministr.
    if len(word) > 5 and word.endswith("aux"):
        return word[:-3] + "al"
    for suffix in ("issements", "issement", "ements", "ement", "ations", "ation", "ateurs", "ateur", "atrices"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    for suffix in ("x", "s"):
        if len(word) > 3 and word.endswith(suffix):
            word = word[:-1]
    for suffix in ("er", "ee", "e", "i"):
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _stem_english(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes")) and len(word) > 5:
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # planning -> plann -> plan
            break
    for suffix in ("ers", "er", "ly"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def stems(text: str, language: str) -> list[str]:
    """The stems of the meaningful words of `text` (the portable index's terms)."""
    stop = STOP_WORDS.get(language, frozenset())
    return [stem(word, language) for word in words(text, language) if word not in stop]
