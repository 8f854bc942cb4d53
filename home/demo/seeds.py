"""What the demo site contains, in both languages.

The long French texts (the news article and the interview, copied verbatim
from the source documents) and their English translations are files in
``content/``; everything else is here. Each piece of text comes as a
(source, translation) pair: the loader writes the source and hands the
translation to wagtail-localize, so translators later find every segment
already translated and editable. The videos are in `video_seeds`.
"""

import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from .transcripts import parse_interview, split_paragraphs

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def read_content(name: str) -> str:
    return (CONTENT_DIR / name).read_text(encoding="utf-8")


@cache
def news_paragraphs() -> tuple[list[str], list[str]]:
    """(French, English) paragraphs of the news article, one for one."""
    french, english = split_paragraphs(read_content("news.fr.txt")), split_paragraphs(read_content("news.en.txt"))
    if len(french) != len(english):
        raise ValueError(f"news.en.txt has {len(english)} paragraphs for the {len(french)} of news.fr.txt")
    return french, english


@cache
def interview_turns():
    """(French, English) turns of the interview, one for one."""
    speakers = [person.name for person in PEOPLE]
    french = parse_interview(read_content("interview.fr.txt"), speakers)
    english = parse_interview(read_content("interview.en.txt"), speakers)
    if [(turn.kind, turn.speaker, len(turn.paragraphs)) for turn in french] != [
        (turn.kind, turn.speaker, len(turn.paragraphs)) for turn in english
    ]:
        raise ValueError("interview.en.txt does not follow interview.fr.txt turn for turn")
    return french, english


# --- Site ---------------------------------------------------------------------

# The English site is the source (English is the default locale); French copies
# it through wagtail-localize. Pairs are (English, French).
HOME = {
    "title": ("Media portal", "Portail média"),
    "slug": ("portal", "portail"),
    "intro": (
        "Broadcast-quality video, news and interviews for media professionals.",
        "Vidéos de qualité broadcast, actualités et entretiens pour les professionnels des médias.",
    ),
}
SECTIONS = {
    "news": {
        "title": ("News", "Actualités"),
        "slug": ("news", "actualites"),
        "intro": ("The latest news from the Alliance.", "Les dernières actualités de l'Alliance."),
    },
    "interviews": {
        "title": ("Interviews", "Entretiens"),
        "slug": ("interviews", "entretiens"),
        "intro": (
            "Questions and answers with the people who shape the Alliance.",
            "Questions et réponses avec celles et ceux qui façonnent l'Alliance.",
        ),
    },
    "videos": {
        "title": ("Videos", "Vidéos"),
        "slug": ("videos", "videos"),
        "intro": (
            "Broadcast masters to download in full or in part.",
            "Des masters broadcast à télécharger en entier ou en partie.",
        ),
    },
}
SITE_NAME = "Media portal"
SITE_HOSTNAME = "localhost"
# `make run` serves on port 8000; the default site answers any host anyway.
SITE_PORT = 8000


# --- People and topics (French source, English translation) --------------------


@dataclass(frozen=True)
class PersonSeed:
    key: str
    name: str
    role: tuple[str, str]  # (French, English)


@dataclass(frozen=True)
class TopicSeed:
    key: str
    name: tuple[str, str]  # (French, English)
    slug: tuple[str, str]


PEOPLE = (
    PersonSeed("rasmussen", "Anders Fogh Rasmussen", ("Secrétaire général de l'OTAN", "NATO Secretary General")),
    PersonSeed(
        "racine",
        "Bruno Racine",
        (
            "Membre du groupe d'experts sur le nouveau concept stratégique de l'OTAN",
            "Member of the Group of Experts on NATO's new Strategic Concept",
        ),
    ),
    PersonSeed(
        "albright",
        "Madeleine Albright",
        (
            "Présidente du groupe d'experts sur le nouveau concept stratégique de l'OTAN",
            "Chair of the Group of Experts on NATO's new Strategic Concept",
        ),
    ),
)

TOPICS = (
    TopicSeed("smart-defence", ("Défense intelligente", "Smart Defence"), ("defense-intelligente", "smart-defence")),
    TopicSeed(
        "capabilities",
        ("Capacités de défense", "Defence capabilities"),
        ("capacites-de-defense", "defence-capabilities"),
    ),
    TopicSeed(
        "ministers",
        ("Réunions des ministres de la Défense", "Defence Ministers' meetings"),
        ("reunions-des-ministres-de-la-defense", "defence-ministers-meetings"),
    ),
    TopicSeed(
        "strategic-concept",
        ("Concept stratégique", "Strategic Concept"),
        ("concept-strategique", "strategic-concept"),
    ),
)


# --- Images ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImageSeed:
    key: str
    title: str  # also what is drawn on the picture
    subtitle: str
    description: str  # alt text
    colours: tuple[str, str]  # gradient from, to


IMAGES = (
    ImageSeed(
        "smart-defence",
        "Smart Defence",
        "Defence Ministers take stock · Brussels, 9 October 2012",
        "Illustration: a navy-to-blue gradient with the words “Smart Defence” and the meeting's date.",
        ("#0b1f3a", "#1f6fb2"),
    ),
    ImageSeed(
        "press-conference",
        "Press conference",
        "NATO Headquarters · Brussels, 9 October 2012",
        "Illustration: a dark-red gradient with the words “Press conference” and the date.",
        ("#3a0b12", "#b2401f"),
    ),
    ImageSeed(
        "headquarters",
        "NATO Headquarters",
        "B-roll · Brussels",
        "Illustration: a green gradient with the words “NATO Headquarters”.",
        ("#0b3a24", "#3fa36b"),
    ),
    ImageSeed(
        "seminar",
        "Core security tasks",
        "Seminar · Luxembourg, 15 October 2009",
        "Illustration: a purple gradient with the words “Core security tasks” and the seminar's date.",
        ("#24113a", "#7a4fc2"),
    ),
)


# --- The French pages from the seeds (French source, English translation) --------

BRUSSELS = ZoneInfo("Europe/Brussels")

NEWS_ARTICLE = {
    "slug": ("defense-intelligente-les-ministres-font-le-point", "smart-defence-ministers-take-stock"),
    "title": (
        "Défense intelligente : les ministres de la Défense font le point sur les capacités",
        "Smart Defence: Defence Ministers take stock of capabilities",
    ),
    # A summary rather than the first paragraph: every paragraph stays whole in the body.
    "standfirst": (
        "Réunis au siège de l'OTAN, les ministres de la Défense ont examiné les progrès de la défense "
        "intelligente décidée au sommet de Chicago, pour préserver les capacités de l'Alliance en période "
        "d'austérité.",
        "Meeting at NATO Headquarters, Defence Ministers reviewed progress on the Smart Defence approach agreed "
        "at the Chicago Summit, to preserve the Alliance's capabilities at a time of austerity.",
    ),
    "dateline": ("Bruxelles", "Brussels"),
    # "mardi 9 octobre" 2012, after the Chicago Summit of May 2012; the time is
    # an assumption (late afternoon, after the press conference).
    "published_at": datetime.datetime(2012, 10, 9, 17, 0, tzinfo=BRUSSELS),
    "quote": (
        "C'est là un des défis les plus urgents auxquels notre Alliance est confrontée aujourd'hui",
        "This is one of the most urgent challenges our Alliance faces today",
    ),
    "quote_attribution": (
        "Anders Fogh Rasmussen, secrétaire général de l'OTAN",
        "Anders Fogh Rasmussen, NATO Secretary General",
    ),
    # The pull quote goes after this many paragraphs, just before the one it comes from.
    "quote_after_paragraph": 3,
    "topics": ("smart-defence", "capabilities", "ministers"),
    "people": (("rasmussen", "mentioned"),),
    "lead_image": "smart-defence",
}

INTERVIEW = {
    "slug": ("entretien-avec-bruno-racine", "interview-with-bruno-racine"),
    "title": (
        "Entretien avec Bruno Racine sur les tâches de sécurité fondamentales de l'OTAN",
        "Interview with Bruno Racine on NATO's core security tasks",
    ),
    "standfirst": (
        "Membre du groupe d'experts chargé de préparer le nouveau concept stratégique de l'OTAN, Bruno Racine "
        "revient sur le premier des quatre séminaires prévus et sur le calendrier des travaux.",
        "A member of the Group of Experts preparing NATO's new Strategic Concept, Bruno Racine looks back on the "
        "first of four planned seminars and sets out the timetable for the work ahead.",
    ),
    "date": datetime.date(2009, 10, 15),
    "place": ("Luxembourg", "Luxembourg"),
    "event": (
        "Premier séminaire sur les tâches de sécurité fondamentales de l'OTAN",
        "First seminar on NATO's core security tasks",
    ),
    "interviewee": "racine",
    "people": (("racine", "interviewee"), ("albright", "mentioned")),
    "topics": ("strategic-concept",),
}


# What the home page features, in order: (kind, key).
FEATURED = (("news", None), ("interview", None), ("video", "press-conference"))
