"""What the demo site contains, in both languages.

The long French texts (the news article and the interview, copied verbatim
from the source documents) and their English translations are files in
``content/``; everything else is here. Each piece of text comes as a
(source, translation) pair: the loader writes the source and hands the
translation to wagtail-localize, so translators later find every segment
already translated and editable.
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


# --- Videos (English source, French translation) ----------------------------------


@dataclass(frozen=True)
class ShotSeed:
    in_ms: int
    out_ms: int
    description: tuple[str, str]  # (English, French)
    speaker: str = ""


@dataclass(frozen=True)
class VideoSeed:
    key: str
    title: tuple[str, str]  # (English, French); the English title is the Video asset's title too
    slug: tuple[str, str]
    generate: dict  # options for videos.media.generate_test_video
    filename: str
    recorded_on: datetime.date
    place: tuple[str, str]
    summary: tuple[str, str]
    transcript: tuple[str, str]
    credits: tuple[str, str]
    usage_restrictions: tuple[str, str]
    shots: tuple[ShotSeed, ...]
    topics: tuple[str, ...]
    people: tuple[str, ...]
    poster: str
    copyright: str = "© Media portal demo"


_CREDITS = (
    "Demo content: the picture is a synthetic test pattern with a 1 kHz tone, generated with ffmpeg.",
    "Contenu de démonstration : l'image est une mire synthétique avec un son à 1 kHz, générée avec ffmpeg.",
)
_USAGE = (
    "Free of charge for editorial use in news and current affairs programmes. No commercial or advertising use. "
    "Credit required.",
    "Utilisation gratuite à des fins éditoriales dans les programmes d'information et d'actualité. "
    "Toute utilisation commerciale ou publicitaire est exclue. Mention obligatoire.",
)

VIDEOS = (
    VideoSeed(
        key="press-conference",
        title=(
            "Press conference by the NATO Secretary General",
            "Conférence de presse du secrétaire général de l'OTAN",
        ),
        slug=("press-conference-by-the-nato-secretary-general", "conference-de-presse-du-secretaire-general"),
        # Long-GOP H.264 as a news camera or an agency feed delivers it.
        generate={
            "duration": 20,
            "width": 1280,
            "height": 720,
            "fps": 25,
            "codec": "h264",
            "gop": 50,
            "pattern": "testsrc2",
            "loop_segment": 4,
        },
        filename="press-conference.mp4",
        recorded_on=datetime.date(2012, 10, 9),
        place=("NATO Headquarters, Brussels", "Siège de l'OTAN, Bruxelles"),
        summary=(
            "Anders Fogh Rasmussen briefs the press after the first working session of the Defence Ministers' "
            "meeting on Smart Defence and the implementation of the Chicago Summit decisions.",
            "Anders Fogh Rasmussen s'adresse à la presse après la première séance de travail de la réunion des "
            "ministres de la Défense consacrée à la défense intelligente et à la mise en œuvre des décisions du "
            "sommet de Chicago.",
        ),
        transcript=(
            "ANDERS FOGH RASMUSSEN: This is one of the most urgent challenges our Alliance faces today.\n"
            "We need to spend smartly and, more than that, we need to spend enough.",
            "ANDERS FOGH RASMUSSEN : C'est là un des défis les plus urgents auxquels notre Alliance est "
            "confrontée aujourd'hui.\n"
            "Nous avons besoin de dépenser intelligemment et, plus encore, nous avons besoin de dépenser "
            "suffisamment.",
        ),
        credits=_CREDITS,
        usage_restrictions=_USAGE,
        shots=(
            ShotSeed(
                0,
                4000,
                (
                    "Wide shot of the press room as journalists take their seats.",
                    "Plan large de la salle de presse pendant que les journalistes s'installent.",
                ),
            ),
            ShotSeed(
                4000,
                12000,
                (
                    "Medium shot: the Secretary General at the lectern (soundbite).",
                    "Plan moyen : le secrétaire général au pupitre (extrait sonore).",
                ),
                speaker="rasmussen",
            ),
            ShotSeed(
                12000,
                16000,
                ("Cutaway: journalists taking notes.", "Plan de coupe : des journalistes prennent des notes."),
            ),
            ShotSeed(
                16000,
                20000,
                (
                    "Close-up of the NATO emblem behind the lectern.",
                    "Gros plan sur l'emblème de l'OTAN derrière le pupitre.",
                ),
            ),
        ),
        topics=("smart-defence", "ministers"),
        people=("rasmussen",),
        poster="press-conference",
    ),
    VideoSeed(
        key="headquarters",
        title=("B-roll: NATO Headquarters, Brussels", "Images d'illustration : le siège de l'OTAN à Bruxelles"),
        slug=("b-roll-nato-headquarters-brussels", "images-illustration-siege-otan-bruxelles"),
        # ProRes is intra-only: every frame is a keyframe, so clips can be cut anywhere.
        generate={
            "duration": 10,
            "width": 1280,
            "height": 720,
            "fps": 25,
            "codec": "prores",
            "pattern": "smptebars",
            "loop_segment": 2,
        },
        filename="nato-headquarters-b-roll.mov",
        recorded_on=datetime.date(2012, 10, 9),
        place=("Brussels", "Bruxelles"),
        summary=(
            "General views of NATO Headquarters on the day of the Defence Ministers' meeting, free of commentary "
            "for editors to cut into their own reports.",
            "Vues générales du siège de l'OTAN le jour de la réunion des ministres de la Défense, sans commentaire, "
            "à monter dans vos propres sujets.",
        ),
        transcript=("No speech: natural sound only.", "Pas de commentaire : son d'ambiance uniquement."),
        credits=_CREDITS,
        usage_restrictions=_USAGE,
        shots=(
            ShotSeed(
                0,
                3000,
                (
                    "Flags of the Allies outside the main entrance.",
                    "Les drapeaux des Alliés devant l'entrée principale.",
                ),
            ),
            ShotSeed(
                3000,
                6500,
                ("Delegations arriving in the main hall.", "Arrivée des délégations dans le hall principal."),
            ),
            ShotSeed(
                6500,
                10000,
                (
                    "Wide shot of the meeting room before the session.",
                    "Plan large de la salle de réunion avant la séance.",
                ),
            ),
        ),
        topics=("ministers",),
        people=(),
        poster="headquarters",
    ),
    VideoSeed(
        key="seminar",
        title=(
            "Seminar on NATO's core security tasks, Luxembourg",
            "Séminaire sur les tâches de sécurité fondamentales de l'OTAN, Luxembourg",
        ),
        slug=("seminar-on-natos-core-security-tasks-luxembourg", "seminaire-taches-de-securite-fondamentales"),
        # NTSC-family rate, as material from North American broadcasters arrives.
        generate={
            "duration": 15,
            "width": 1280,
            "height": 720,
            "fps": "30000/1001",
            "codec": "h264",
            "pattern": "smptehdbars",
            "loop_segment": 4,
        },
        filename="core-security-tasks-seminar.mp4",
        recorded_on=datetime.date(2009, 10, 15),
        place=("Luxembourg", "Luxembourg"),
        summary=(
            "The first of four seminars feeding the work of the Group of Experts on NATO's new Strategic Concept, "
            "with experts and officials from every Allied country.",
            "Le premier des quatre séminaires qui nourrissent les travaux du groupe d'experts sur le nouveau concept "
            "stratégique de l'OTAN, avec des experts et des officiels de tous les pays de l'Alliance.",
        ),
        transcript=(
            "BRUNO RACINE: Well, I think it was a very good start to our thinking.",
            "BRUNO RACINE : Bien, je crois que ça a été un très bon lancement de la réflexion.",
        ),
        credits=_CREDITS,
        usage_restrictions=_USAGE,
        shots=(
            ShotSeed(
                0,
                4000,
                ("Participants arriving at the seminar venue.", "Arrivée des participants sur le lieu du séminaire."),
            ),
            ShotSeed(
                4000,
                10000,
                (
                    "Bruno Racine speaking to the press (soundbite).",
                    "Bruno Racine s'adresse à la presse (extrait sonore).",
                ),
                speaker="racine",
            ),
            ShotSeed(
                10000,
                15000,
                ("Experts in discussion around the table.", "Des experts en discussion autour de la table."),
            ),
        ),
        topics=("strategic-concept",),
        people=("racine",),
        poster="seminar",
    ),
)

# What the home page features, in order: (kind, key).
FEATURED = (("news", None), ("interview", None), ("video", "press-conference"))
