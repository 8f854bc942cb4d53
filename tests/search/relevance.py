"""The relevance set: what a reader typing each query must find in the first three results, and must never see.

Each case: (query, locale or None, pages that must be in the top 3, pages that
must not appear at all). Pages are named as in `conftest.page_keys`; the demo
pages compete with generated bilingual content about the same subjects.
"""

CASES = [
    # French: stemming, accents, case, elisions
    ("ministres", "fr", ["news-fr"], ["interview-fr", "news-en"]),
    ("ministre", "fr", ["news-fr"], ["interview-fr"]),
    ("capacites", "fr", ["news-fr"], ["interview-fr", "news-en"]),
    ("Capacités de défense austérité", "fr", ["news-fr"], ["interview-fr"]),
    ("DÉFENSE INTELLIGENTE Chicago", "fr", ["news-fr", "video-press-fr"], ["interview-fr", "video-hq-fr"]),
    ("defense intelligente chicago", "fr", ["news-fr", "video-press-fr"], ["interview-fr"]),
    ("l'Alliance austérité", "fr", ["news-fr"], ["news-en", "interview-fr"]),
    ("alliance austérité", "fr", ["news-fr"], ["news-en"]),
    ("otan bruxelles images", "fr", ["video-hq-fr"], ["video-hq-en", "interview-fr"]),
    ("Bruno Racine", "fr", ["interview-fr", "video-seminar-fr"], ["news-fr", "video-hq-fr", "interview-en"]),
    ("Albright", "fr", ["interview-fr"], ["news-fr", "interview-en"]),
    ("Rasmussen austérité", "fr", ["news-fr"], ["interview-fr", "video-hq-fr"]),
    ("journalistes pupitre", "fr", ["video-press-fr"], ["news-fr", "video-press-en"]),
    ("drapeaux des Alliés", "fr", ["video-hq-fr"], ["video-hq-en"]),
    ("tâches de sécurité fondamentales", "fr", ["interview-fr", "video-seminar-fr"], ["news-fr"]),
    ("dépenser intelligemment", "fr", ["video-press-fr"], ["interview-fr"]),
    ("son d'ambiance", "fr", ["video-hq-fr"], ["video-press-fr"]),
    ("Slovénie Norvège", "fr", ["interview-fr"], ["video-seminar-fr", "interview-en"]),
    ("vocation de l’OTAN", "fr", ["interview-fr"], ["news-fr"]),
    ("câbles sous-marins", "fr", ["video-hq-fr"], ["video-hq-en", "video-press-fr"]),
    ("brise-glace Arctique", "fr", ["brise-glace-fr"], ["icebreakers-en"]),
    # English: stemming, case, possessives
    ("defences ministers austerity", "en", ["news-en"], ["interview-en", "news-fr"]),
    ("capability austerity", "en", ["news-en"], ["interview-en"]),
    ("nato headquarters b-roll", "en", ["video-hq-en"], ["video-hq-fr", "interview-en"]),
    ("Secretary General lectern", "en", ["video-press-en"], ["news-en", "video-press-fr"]),
    ("core security tasks Racine", "en", ["interview-en", "video-seminar-en"], ["news-en", "interview-fr"]),
    ("Madeleine Albright", "en", ["interview-en"], ["news-en", "interview-fr"]),
    ("journalists taking notes", "en", ["video-press-en"], ["news-en"]),
    ("flag", "en", ["video-hq-en"], ["video-press-en", "video-hq-fr"]),
    ("spend smartly", "en", ["video-press-en", "news-en"], ["interview-en"]),
    ("Chicago Summit austerity", "en", ["news-en"], ["interview-en", "video-seminar-en"]),
    ("NATO's new Strategic Concept Slovenia", "en", ["interview-en"], ["news-en"]),
    ("submarine cables", "en", ["video-hq-en"], ["video-hq-fr", "video-press-en"]),
    ("icebreaker", "en", ["icebreakers-en", "maritime-en"], ["draft-en", "brise-glace-fr"]),
    # Either language: each page is matched with its own language's rules
    ("OTAN austérité", None, ["news-fr"], ["news-en", "interview-en"]),
    ("capacités austérité", None, ["news-fr"], ["news-en"]),
    ("austerity capabilities", None, ["news-en"], ["news-fr"]),
    ("Racine Luxembourg seminar", None, ["interview-en", "video-seminar-en"], ["news-en", "news-fr"]),
]


def measure(found, pages) -> tuple[int, int, list[str]]:
    """(expectations met, expectations, what was missed) for `found(query, locale)`: the page ids, best first."""
    met, total, failures = 0, 0, []
    for query, locale, top, never in CASES:
        ids = found(query, locale)
        for key in top:
            total += 1
            if pages[key].pk in ids[:3]:
                met += 1
            else:
                failures.append(f"{query!r} ({locale}): {key} not in the top 3")
        for key in never:
            total += 1
            if pages[key].pk not in ids:
                met += 1
            else:
                failures.append(f"{query!r} ({locale}): {key} should not appear")
    return met, total, failures
