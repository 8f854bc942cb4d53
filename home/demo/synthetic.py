"""Synthetic bilingual content for benchmarks: plausible, varied, parallel English and French text.

Everything here is pure (no database): `SyntheticWriter(seed)` gives the same
articles, interviews and video descriptions for the same seed, so benchmark
runs are comparable. Sentences are built from templates with bilingual slots,
so the French page is a faithful translation of the English one, with the
accented vocabulary (capacités, défense, sécurité, OTAN...) search tests need.
"""

import datetime
import random
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from .vocabulary import EVENTS, OPENERS, PEOPLE, PLACES, SUBJECTS, THEMES, PersonSpec, Place, Theme

# A constant because an f-string cannot reuse its own quote character before Python 3.12.
COMMITTED = ("s'est engagé", "se sont engagés")

BRUSSELS = ZoneInfo("Europe/Brussels")
FIRST_DAY = datetime.date(2008, 1, 1)
DAYS = (datetime.date(2024, 12, 31) - FIRST_DAY).days


def _agree(plural: bool, singular_form: str, plural_form: str) -> str:
    return plural_form if plural else singular_form


def _lower_first(text: str) -> str:
    """ "Les Alliés" -> "les Alliés" inside a sentence; acronyms ("NATO Spokesperson") stay as they are."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[0].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[0].upper() + text[1:]


def _of(french_name: str) -> str:
    """ "de Riga", but "d'Istanbul": French elides "de" before a vowel."""
    return f"d'{french_name}" if french_name[0].lower() in "aeiouyhéèêàâîôû" else f"de {french_name}"


def _inner(english: str) -> str:
    """An English subject inside a sentence: "The Council" -> "the Council", names unchanged."""
    return "t" + english[1:] if english.startswith("The ") else english


@dataclass
class Bilingual:
    """The same text in English and in French."""

    en: str
    fr: str


@dataclass
class Article:
    title: Bilingual
    slug: Bilingual
    standfirst: Bilingual
    dateline: Bilingual
    published_at: datetime.datetime
    paragraphs: list[Bilingual]
    quote: Bilingual | None
    themes: list[Theme]
    people: list[PersonSpec]
    block_ids: list[str] = field(default_factory=list)


@dataclass
class Interview:
    title: Bilingual
    slug: Bilingual
    standfirst: Bilingual
    place: Bilingual
    event: Bilingual
    date: datetime.date
    turns: list[tuple[str, Bilingual]]  # ("question" | "answer", text)
    interviewee: PersonSpec
    themes: list[Theme]
    block_ids: list[str] = field(default_factory=list)


@dataclass
class Shot:
    in_ms: int
    out_ms: int
    description: Bilingual
    speaker: PersonSpec | None


@dataclass
class VideoStory:
    title: Bilingual
    slug: Bilingual
    place: Bilingual
    summary: Bilingual
    transcript: Bilingual
    credits: Bilingual
    usage_restrictions: Bilingual
    recorded_on: datetime.date
    shots: list[Shot]
    themes: list[Theme]
    people: list[PersonSpec]


class SyntheticWriter:
    """Writes plausible bilingual content; the same seed gives the same content, call for call."""

    def __init__(self, seed: int = 0):
        # Not for security: reproducible pseudo-random content.
        self.rng = random.Random(seed)  # noqa: S311

    # --- building blocks ---------------------------------------------------------

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def day(self) -> datetime.date:
        return FIRST_DAY + datetime.timedelta(days=self.rng.randrange(DAYS))

    def slug(self, title: str, serial: int) -> str:
        # The serial keeps slugs unique under one parent without a query per page.
        return f"{slugify(title)[:70].rstrip('-')}-{serial}"

    def sentence(self, theme: Theme, other: Theme, place: Place) -> Bilingual:
        s = self.rng.choice(SUBJECTS)
        year = self.rng.randrange(2010, 2031)
        count = self.rng.choice((40, 60, 80, 100, 120, 150, 200))
        templates = (
            (
                f"{s.fr} {_agree(s.plural, 'a examiné', 'ont examiné')} {theme.fr} lors d'une réunion à {place.fr}.",
                f"{s.en} reviewed {theme.en} at a meeting in {place.en}.",
            ),
            (
                f"{s.fr} {_agree(s.plural, 'a souligné', 'ont souligné')} l'importance de renforcer {theme.fr} "
                "face aux nouvelles menaces pour la sécurité.",
                f"{s.en} stressed the importance of strengthening {theme.en} in the face of new security threats.",
            ),
            (
                f"Selon {_lower_first(s.fr)}, {theme.fr} {_agree(theme.plural, 'reste', 'restent')} "
                "une priorité pour l'Alliance.",
                f"According to {_inner(s.en)}, {theme.en} "
                f"{_agree(theme.plural, 'remains', 'remain')} a priority for the Alliance.",
            ),
            (
                f"Les discussions ont également porté sur {other.fr}, un sujet que les ministres de la Défense "
                "suivent de près.",
                f"The discussions also covered {other.en}, an issue Defence Ministers are following closely.",
            ),
            (
                f"{s.fr} {_agree(s.plural, COMMITTED[0], COMMITTED[1])} à améliorer {theme.fr} d'ici à {year}.",
                f"{s.en} committed to improving {theme.en} by {year}.",
            ),
            (
                f"Cette réunion s'inscrit dans le cadre des travaux engagés depuis le sommet {_of(place.fr)}.",
                f"The meeting is part of the work under way since the {place.en} Summit.",
            ),
            (
                "« Notre sécurité dépend de notre capacité à travailler ensemble », a déclaré un porte-parole "
                "de l'OTAN.",
                "“Our security depends on our ability to work together,” a NATO spokesperson said.",
            ),
            (
                f"Plus de {count} experts civils et militaires ont participé aux débats.",
                f"More than {count} civilian and military experts took part in the discussions.",
            ),
            (
                "Les capacités de défense des Alliés ont été au cœur des échanges, dans un contexte d'austérité "
                "économique.",
                "Allied defence capabilities were at the heart of the talks, at a time of economic austerity.",
            ),
            (
                f"{s.fr} {_agree(s.plural, 'a rappelé', 'ont rappelé')} que la sécurité de l'Alliance est indivisible.",
                f"{s.en} recalled that the security of the Alliance is indivisible.",
            ),
            (
                f"Une nouvelle réunion est prévue à {place.fr} dans les prochains mois.",
                f"A further meeting is planned in {place.en} in the coming months.",
            ),
            (
                f"Les ministres ont salué les progrès réalisés dans {theme.fr} et {other.fr}.",
                f"Ministers welcomed the progress made on {theme.en} and {other.en}.",
            ),
            (
                "Aucune décision n'a été prise à ce stade, mais les Alliés entendent intensifier leur coopération.",
                "No decisions have been taken at this stage, but Allies intend to step up their cooperation.",
            ),
            (
                f"{_upper_first(theme.fr)} {_agree(theme.plural, 'fera', 'feront')} l'objet d'un rapport "
                "aux chefs d'État et de gouvernement.",
                f"{_upper_first(theme.en)} will be the subject of a report to Heads of State and Government.",
            ),
        )
        fr, en = self.rng.choice(templates)
        return Bilingual(en=en, fr=fr)

    def paragraph(self, theme: Theme, other: Theme, place: Place, sentences: int) -> Bilingual:
        parts = [self.sentence(theme, other, place) for _ in range(sentences)]
        return Bilingual(en=" ".join(p.en for p in parts), fr=" ".join(p.fr for p in parts))

    def themes(self, count: int) -> list[Theme]:
        return self.rng.sample(THEMES, count)

    # --- pages --------------------------------------------------------------------------

    def article(self, serial: int) -> Article:
        theme, other = self.themes(2)
        place = self.rng.choice(PLACES)
        s = self.rng.choice(SUBJECTS)
        titles = (
            (
                f"{place.fr} : {_lower_first(s.fr)} {_agree(s.plural, 'fait', 'font')} le point sur {theme.fr}",
                f"{place.en}: {_inner(s.en)} {_agree(s.plural, 'takes', 'take')} stock of {theme.en}",
            ),
            (
                f"{_upper_first(theme.fr)} au cœur de la réunion {_of(place.fr)}",
                f"{_upper_first(theme.en)} at the heart of the {place.en} meeting",
            ),
            (
                f"{s.fr} {_agree(s.plural, 'appelle', 'appellent')} à renforcer {theme.fr}",
                f"{s.en} {_agree(s.plural, 'calls', 'call')} for stronger {theme.en}",
            ),
            (
                f"Sécurité : nouvelles avancées pour {theme.fr} et {other.fr}",
                f"Security: new progress on {theme.en} and {other.en}",
            ),
        )
        title_fr, title_en = self.rng.choice(titles)
        published = datetime.datetime.combine(
            self.day(), datetime.time(self.rng.randrange(8, 20), self.rng.choice((0, 15, 30, 45))), tzinfo=BRUSSELS
        )
        paragraph_count = self.rng.randint(3, 7)
        paragraphs = [self.paragraph(theme, other, place, self.rng.randint(2, 4)) for _ in range(paragraph_count)]
        quote = None
        if self.rng.random() < 0.5:
            quote = Bilingual(
                en="Our security depends on our ability to work together",
                fr="Notre sécurité dépend de notre capacité à travailler ensemble",
            )
        standfirst = self.sentence(theme, other, place)
        return Article(
            title=Bilingual(en=title_en, fr=title_fr),
            slug=Bilingual(en=self.slug(title_en, serial), fr=self.slug(title_fr, serial)),
            standfirst=standfirst,
            dateline=Bilingual(en=place.en, fr=place.fr),
            published_at=published,
            paragraphs=paragraphs,
            quote=quote,
            themes=[theme, other][: self.rng.randint(1, 2)],
            people=self.rng.sample(PEOPLE, self.rng.randint(0, 2)),
            block_ids=[self.uuid() for _ in range(len(paragraphs) + 1)],
        )

    def interview(self, serial: int) -> Interview:
        theme, other = self.themes(2)
        place = self.rng.choice(PLACES)
        person = self.rng.choice(PEOPLE)
        event_en, event_fr = self.rng.choice(EVENTS)
        questions = [
            (f"Quelles sont vos priorités pour {theme.fr} ?", f"What are your priorities for {theme.en}?"),
            (
                f"Comment les Alliés peuvent-ils améliorer {theme.fr} en période d'austérité ?",
                f"How can Allies improve {theme.en} at a time of austerity?",
            ),
            (
                f"Quel bilan tirez-vous de la réunion {_of(place.fr)} ?",
                f"What is your assessment of the {place.en} meeting?",
            ),
            (f"Quel rôle les partenaires jouent-ils dans {other.fr} ?", f"What role do partners play in {other.en}?"),
            ("Qu'attendez-vous des prochains mois ?", "What do you expect from the coming months?"),
            ("Comment expliquer le rôle de l'OTAN au public ?", "How do you explain NATO's role to the public?"),
        ]
        turns = []
        for fr, en in self.rng.sample(questions, self.rng.randint(3, 5)):
            turns.append(("question", Bilingual(en=en, fr=fr)))
            opener_fr, opener_en = self.rng.choice(OPENERS)
            answer = self.paragraph(theme, other, place, self.rng.randint(2, 4))
            turns.append(("answer", Bilingual(en=f"{opener_en} {answer.en}", fr=f"{opener_fr} {answer.fr}")))
        remains_fr = _agree(theme.plural, "reste", "restent")
        remains_en = _agree(theme.plural, "remains", "remain")
        title_fr = f"« {_upper_first(theme.fr)} {remains_fr} une priorité » : entretien avec {person.name}"
        title_en = f"“{_upper_first(theme.en)} {remains_en} a priority”: interview with {person.name}"
        return Interview(
            title=Bilingual(en=title_en, fr=title_fr),
            slug=Bilingual(
                en=self.slug(f"interview {person.name} {theme.en}", serial),
                fr=self.slug(f"entretien {person.name} {theme.fr}", serial),
            ),
            standfirst=Bilingual(
                en=f"{person.name}, {_lower_first(person.role[0])}, on {theme.en} and {other.en}.",
                fr=f"{person.name}, {_lower_first(person.role[1])}, sur {theme.fr} et {other.fr}.",
            ),
            place=Bilingual(en=place.en, fr=place.fr),
            event=Bilingual(en=_upper_first(event_en), fr=_upper_first(event_fr)),
            date=self.day(),
            turns=turns,
            interviewee=person,
            themes=[theme, other][: self.rng.randint(1, 2)],
            block_ids=[self.uuid() for _ in turns],
        )

    def video(self, serial: int, duration_ms: int) -> VideoStory:
        theme, other = self.themes(2)
        place = self.rng.choice(PLACES)
        event_en, event_fr = self.rng.choice(EVENTS)
        speaker = self.rng.choice(PEOPLE)
        title_en = f"Footage: {event_en} in {place.en}"
        title_fr = f"Images : {event_fr} à {place.fr}"
        descriptions = [
            (f"Plan large {_of(place.fr)}.", f"Wide shot of {place.en}."),
            ("Gros plan sur les drapeaux des Alliés.", "Close-up of the Allied flags."),
            ("Arrivée des délégations.", "Delegations arriving."),
            ("Plan de coupe : des journalistes prennent des notes.", "Cutaway: journalists taking notes."),
            ("Vue de la salle de réunion.", "View of the meeting room."),
            (f"Panneau annonçant {event_fr}.", f"Sign announcing {event_en}."),
        ]
        count = self.rng.randint(3, 4)
        # Cuts on whole seconds, so every shot lasts at least a second and stays inside the video.
        grid = range(1000, duration_ms - 999, 1000)
        if len(grid) >= count - 1:
            bounds = [0, *sorted(self.rng.sample(grid, count - 1)), duration_ms]
        else:
            bounds = [round(duration_ms * index / count) for index in range(count + 1)]
        picked = self.rng.sample(descriptions, count)
        soundbite = self.rng.randrange(count)
        shots = []
        for index in range(count):
            fr, en = picked[index]
            if index == soundbite:
                fr, en = f"{speaker.name} au pupitre (extrait sonore).", f"{speaker.name} at the lectern (soundbite)."
            shot_speaker = speaker if index == soundbite else None
            shots.append(Shot(bounds[index], bounds[index + 1], Bilingual(en=en, fr=fr), shot_speaker))
        quote = self.sentence(theme, other, place)
        return VideoStory(
            title=Bilingual(en=title_en, fr=title_fr),
            slug=Bilingual(en=self.slug(title_en, serial), fr=self.slug(title_fr, serial)),
            place=Bilingual(en=place.en, fr=place.fr),
            summary=self.paragraph(theme, other, place, 2),
            transcript=Bilingual(en=f"{speaker.name.upper()}: {quote.en}", fr=f"{speaker.name.upper()} : {quote.fr}"),
            credits=Bilingual(
                en="Synthetic benchmark content: the picture is a test pattern.",
                fr="Contenu synthétique de test : l'image est une mire.",
            ),
            usage_restrictions=Bilingual(
                en="Editorial use only. No commercial use.",
                fr="Usage éditorial uniquement. Aucune utilisation commerciale.",
            ),
            recorded_on=self.day(),
            shots=shots,
            themes=[theme, other][: self.rng.randint(1, 2)],
            people=[speaker],
        )
