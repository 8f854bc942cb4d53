"""How words are prepared for the index and for queries."""

import pytest

from search import text
from search.query import excerpt


def test_folding_removes_accents_ligatures_and_case():
    assert text.fold("Capacités ŒUVRE Straße") == "capacites oeuvre strasse"


def test_folding_covers_letters_unicode_does_not_decompose_as_unaccent_does():
    assert text.fold("Øresund Łódź Þór") == "oresund lodz thor"


def test_what_postgresql_receives_keeps_accents_and_case_without_elisions():
    assert text.unelide("L’Alliance jusqu'à Genève", "fr") == "Alliance à Genève"
    assert text.unelide("NATO's café", "en") == "NATO café"
    assert text.unelide("Capacite\u0301s", "fr") == "Capacités"  # composed: one word to the parser


def test_query_words_as_typed_for_a_database_that_folds():
    assert text.query_words("Les CAPACITÉS de l'Alliance capacites", "fr", folded=False) == ["CAPACITÉS", "Alliance"]
    assert text.query_words("Les CAPACITÉS de l'Alliance", "fr") == ["capacites", "alliance"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("l'Alliance", ["alliance"]), ("d’experts", ["experts"]), ("qu'il", ["il"]), ("jusqu'à", ["a"])],
)
def test_french_elisions_are_removed(raw, expected):
    assert text.words(raw, "fr") == expected


def test_english_possessives_are_removed():
    assert text.words("NATO's Allies' plans", "en") == ["nato", "allies", "plans"]


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("fr", ["ministre", "ministres"]),
        ("fr", ["capacité", "capacités", "capacites"]),
        ("fr", ["général", "généraux"]),
        ("fr", ["intelligent", "intelligente", "intelligentes"]),
        ("en", ["defence", "defences"]),
        ("en", ["capability", "capabilities"]),
        ("en", ["minister", "ministers"]),
        ("en", ["meeting", "meetings"]),
    ],
)
def test_inflections_share_a_stem(language, forms):
    assert len({text.stem(word, language) for word in text.words(" ".join(forms), language)}) == 1


def test_query_words_are_plain_words_only():
    hostile = "\"a\" & b | !c :* 'd' \\ (e)) ; DROP TABLE x; -- 🙂"
    found = text.query_words(hostile, "en")
    assert all(word.isalnum() for word in found)
    assert "drop" in found and "table" in found
    assert text.query_words("🙂 !!! :*", "en") == []


def test_stop_words_are_dropped_unless_nothing_else_is_left():
    assert text.query_words("the defence of the Alliance", "en") == ["defence", "alliance"]
    assert text.query_words("the", "en") == ["the"]


def test_excerpts_are_html_safe_and_mark_the_matched_words():
    result = excerpt("", "Ministers <b>met</b> & agreed; the minister's plan.", "minister", "en")
    assert result == "Ministers &lt;b&gt;met&lt;/b&gt; &amp; agreed; the minister's plan.".replace(
        "Ministers", "<mark>Ministers</mark>"
    ).replace("minister's", "<mark>minister's</mark>")


def test_excerpts_centre_on_the_words_found():
    body = "Filler words here. " * 40 + "The capacités de défense were discussed. " + "More filler. " * 40
    result = excerpt("A summary.", body, "capacites", "fr", length=120)
    assert result.startswith("… ") and result.endswith(" …")
    assert "<mark>capacités</mark>" in result and len(result) < 200
