"""The demo's videos, in both languages: the masters to generate, their pages and shot lists.

English is the source here, French the translation: pairs are (English, French).
The rest of the demo content is in `seeds`.
"""

import datetime
from dataclasses import dataclass


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
