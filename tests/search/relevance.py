"""The relevance set: what a reader typing each query must find near the top, and must never see.

Each case: (category, query, locale or None, pages that must be in the top 3
— the first place for `long-vs-short` —, pages that must not appear at all).
Pages are named as in `conftest.page_keys`; the demo pages compete with
generated bilingual content about the same subjects. Categories:

- `language`: stemming, accents, case, elisions and possessives, each page in its own language;
- `long-vs-short`: the long piece about a subject first, before short summaries that mention it;
- `typo`: misspelt words (corrected from the index's vocabulary on PostgreSQL);
- `prefix`: the last word still being typed;
- `phrase`: "quoted" words side by side, in that order;
- `exclusion`: -word;
- `synonym`: the editors' synonyms (NATO ↔ OTAN, SG ↔ secrétaire général / Secretary General).
"""

CATEGORIES = ["language", "long-vs-short", "typo", "prefix", "phrase", "exclusion", "synonym"]

CASES = [
    # French: stemming, accents, case, elisions
    ("language", "ministres", "fr", ["news-fr"], ["interview-fr", "news-en"]),
    ("language", "ministre", "fr", ["news-fr"], ["interview-fr"]),
    ("language", "capacites", "fr", ["news-fr"], ["interview-fr", "news-en"]),
    ("language", "Capacités de défense austérité", "fr", ["news-fr"], ["interview-fr"]),
    ("language", "DÉFENSE INTELLIGENTE Chicago", "fr", ["news-fr", "video-press-fr"], ["interview-fr", "video-hq-fr"]),
    ("language", "defense intelligente chicago", "fr", ["news-fr", "video-press-fr"], ["interview-fr"]),
    ("language", "l'Alliance austérité", "fr", ["news-fr"], ["news-en", "interview-fr"]),
    ("language", "alliance austérité", "fr", ["news-fr"], ["news-en"]),
    ("language", "otan bruxelles images", "fr", ["video-hq-fr"], ["video-hq-en", "interview-fr"]),
    (
        "language",
        "Bruno Racine",
        "fr",
        ["interview-fr", "video-seminar-fr"],
        ["news-fr", "video-hq-fr", "interview-en"],
    ),
    ("language", "Albright", "fr", ["interview-fr"], ["news-fr", "interview-en"]),
    ("language", "Rasmussen austérité", "fr", ["news-fr"], ["interview-fr", "video-hq-fr"]),
    ("language", "journalistes pupitre", "fr", ["video-press-fr"], ["news-fr", "video-press-en"]),
    ("language", "drapeaux des Alliés", "fr", ["video-hq-fr"], ["video-hq-en"]),
    ("language", "tâches de sécurité fondamentales", "fr", ["interview-fr", "video-seminar-fr"], ["news-fr"]),
    ("language", "dépenser intelligemment", "fr", ["video-press-fr"], ["interview-fr"]),
    ("language", "son d'ambiance", "fr", ["video-hq-fr"], ["video-press-fr"]),
    ("language", "Slovénie Norvège", "fr", ["interview-fr"], ["video-seminar-fr", "interview-en"]),
    ("language", "vocation de l’OTAN", "fr", ["interview-fr"], ["news-fr"]),
    ("language", "câbles sous-marins", "fr", ["video-hq-fr"], ["video-hq-en", "video-press-fr"]),
    ("language", "brise-glace Arctique", "fr", ["brise-glace-fr"], ["icebreakers-en"]),
    # English: stemming, case, possessives
    ("language", "defences ministers austerity", "en", ["news-en"], ["interview-en", "news-fr"]),
    ("language", "capability austerity", "en", ["news-en"], ["interview-en"]),
    ("language", "nato headquarters b-roll", "en", ["video-hq-en"], ["video-hq-fr", "interview-en"]),
    ("language", "Secretary General lectern", "en", ["video-press-en"], ["news-en", "video-press-fr"]),
    ("language", "core security tasks Racine", "en", ["interview-en", "video-seminar-en"], ["news-en", "interview-fr"]),
    ("language", "Madeleine Albright", "en", ["interview-en"], ["news-en", "interview-fr"]),
    ("language", "journalists taking notes", "en", ["video-press-en"], ["news-en"]),
    ("language", "flag", "en", ["video-hq-en"], ["video-press-en", "video-hq-fr"]),
    ("language", "spend smartly", "en", ["video-press-en", "news-en"], ["interview-en"]),
    ("language", "Chicago Summit austerity", "en", ["news-en"], ["interview-en", "video-seminar-en"]),
    ("language", "NATO's new Strategic Concept Slovenia", "en", ["interview-en"], ["news-en"]),
    ("language", "submarine cables", "en", ["video-hq-en"], ["video-hq-fr", "video-press-en"]),
    ("language", "icebreaker", "en", ["icebreakers-en", "maritime-en"], ["draft-en", "brise-glace-fr"]),
    # Either language: each page is matched with its own language's rules
    ("language", "OTAN austérité", None, ["news-fr"], ["news-en", "interview-en"]),
    ("language", "capacités austérité", None, ["news-fr"], ["news-en"]),
    ("language", "austerity capabilities", None, ["news-en"], ["news-fr"]),
    ("language", "Racine Luxembourg seminar", None, ["interview-en", "video-seminar-en"], ["news-en", "news-fr"]),
    # A long piece about the subject against three short video summaries that mention it once
    ("long-vs-short", "hydrography", "en", ["long-en"], []),
    ("long-vs-short", "hydrography", None, ["long-en"], ["long-fr"]),
    ("long-vs-short", "hydrography navies", "en", ["long-en"], []),
    ("long-vs-short", "déminage", "fr", ["long-fr"], []),
    ("long-vs-short", "deminage", None, ["long-fr"], ["long-en"]),
    ("long-vs-short", "déminage marins", "fr", ["long-fr"], []),
    # Typos
    ("typo", "Rasmusen austérité", "fr", ["news-fr"], ["interview-fr"]),
    ("typo", "Albrigth", "fr", ["interview-fr"], ["news-fr"]),
    ("typo", "Madeleine Albrihgt", "en", ["interview-en"], ["news-en"]),
    ("typo", "icebraker", "en", ["icebreakers-en"], ["brise-glace-fr"]),
    ("typo", "brise-glace Arctiqe", "fr", ["brise-glace-fr"], ["icebreakers-en"]),
    ("typo", "submarine cabels", "en", ["video-hq-en"], ["video-hq-fr"]),
    ("typo", "câbles sous-marns", "fr", ["video-hq-fr"], ["video-hq-en"]),
    ("typo", "Slovnie Norvège", "fr", ["interview-fr"], ["interview-en"]),
    ("typo", "Secretary General lecturn", "en", ["video-press-en"], ["video-press-fr"]),
    ("typo", "Chicgo Summit austerity", "en", ["news-en"], ["interview-en"]),
    ("typo", "austerity capabilties", "en", ["news-en"], ["news-fr"]),
    ("typo", "hydrograpy", "en", ["long-en"], []),
    ("typo", "journalistes pupitrre", "fr", ["video-press-fr"], ["video-press-en"]),
    # The last word being typed
    ("prefix", "austéri", "fr", ["news-fr"], ["news-en"]),
    ("prefix", "Albri", "fr", ["interview-fr"], ["interview-en"]),
    ("prefix", "icebrea", "en", ["icebreakers-en", "maritime-en"], ["draft-en"]),
    ("prefix", "Secretary General lect", "en", ["video-press-en"], ["video-press-fr"]),
    ("prefix", "brise-glace Arct", "fr", ["brise-glace-fr"], ["icebreakers-en"]),
    ("prefix", "Madeleine Alb", "en", ["interview-en"], ["interview-fr"]),
    ("prefix", "submarine cab", "en", ["video-hq-en"], ["video-hq-fr"]),
    ("prefix", "câbles sous-mar", "fr", ["video-hq-fr"], ["video-hq-en"]),
    ("prefix", "journalistes pup", "fr", ["video-press-fr"], ["news-fr"]),
    ("prefix", "Slovénie Norv", "fr", ["interview-fr"], ["interview-en"]),
    ("prefix", "hydrogr", "en", ["long-en"], ["long-fr"]),
    # Phrases
    ("phrase", '"défense intelligente"', "fr", ["news-fr"], ["news-en"]),
    ("phrase", '"smart defence" austerity', "en", ["news-en"], ["news-fr"]),
    ("phrase", '"câbles sous-marins"', "fr", ["video-hq-fr"], ["video-hq-en"]),
    ("phrase", '"submarine cables"', "en", ["video-hq-en"], ["video-hq-fr"]),
    ("phrase", '"cables submarine"', "en", [], ["video-hq-en"]),
    ("phrase", '"Madeleine Albright"', "en", ["interview-en"], ["news-en"]),
    ("phrase", '"Albright Madeleine"', "en", [], ["interview-en"]),
    ("phrase", '"tâches de sécurité fondamentales"', "fr", ["interview-fr", "video-seminar-fr"], ["news-fr"]),
    ("phrase", '"press conference" lectern', "en", ["video-press-en"], ["video-hq-en"]),
    # Exclusions
    ("exclusion", "icebreaker -maritime", "en", ["icebreakers-en"], ["maritime-en"]),
    ("exclusion", "brise-glace -Arctique", "fr", [], ["brise-glace-fr"]),
    ("exclusion", "Racine -séminaire", "fr", [], ["interview-fr", "video-seminar-fr"]),
    ("exclusion", 'submarine -"submarine cables"', "en", [], ["video-hq-en"]),
    ("exclusion", "hydrography -navies", "en", ["short-0-en"], ["long-en"]),
    # Synonyms, in both languages
    ("synonym", "NATO austérité", "fr", ["news-fr"], ["news-en"]),
    ("synonym", "OTAN austerity", "en", ["news-en"], ["news-fr"]),
    ("synonym", "NATO Bruxelles images", "fr", ["video-hq-fr"], ["video-hq-en"]),
    ("synonym", "OTAN headquarters b-roll", "en", ["video-hq-en"], ["video-hq-fr"]),
    ("synonym", "SG lectern", "en", ["video-press-en"], ["video-press-fr"]),
    ("synonym", "SG pupitre", "fr", ["video-press-fr"], ["video-press-en"]),
    ("synonym", "North Atlantic Treaty Organization austerity", "en", ["news-en"], ["news-fr"]),
]


def measure(found, pages) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """({category: (expectations met, expectations)}, what was missed) for `found(query, locale)`: ids, best first."""
    shares = {category: [0, 0] for category in CATEGORIES}
    failures = []
    for category, query, locale, top, never in CASES:
        ids = found(query, locale)
        head = ids[:1] if category == "long-vs-short" else ids[:3]
        for key in top:
            shares[category][1] += 1
            if pages[key].pk in head:
                shares[category][0] += 1
            else:
                failures.append(f"[{category}] {query!r} ({locale}): {key} not in the top {len(head) or 3}")
        for key in never:
            shares[category][1] += 1
            if pages[key].pk not in ids:
                shares[category][0] += 1
            else:
                failures.append(f"[{category}] {query!r} ({locale}): {key} should not appear")
    return {category: (met, total) for category, (met, total) in shares.items()}, failures
