"""The words synthetic content is made of: subjects, themes, places, people, events, in English and French.

Each entry carries what `synthetic` needs to write grammatical sentences in
both languages (French articles, agreement in number). The people are
invented: real names belong to the demo site only.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    fr: str
    en: str
    plural: bool


@dataclass(frozen=True)
class Theme:
    """A subject of discussion: a noun phrase in both languages and the topic snippet it belongs to."""

    fr: str  # with its article: "la cyberdéfense"
    en: str  # bare: "cyber defence"
    plural: bool  # for agreement, in French and English alike
    topic: tuple[str, str]  # (English, French) topic name


@dataclass(frozen=True)
class Place:
    fr: str
    en: str


@dataclass(frozen=True)
class PersonSpec:
    name: str
    role: tuple[str, str]  # (English, French)


SUBJECTS = (
    Subject("Les ministres de la Défense", "Defence Ministers", True),
    Subject("Le secrétaire général de l'OTAN", "The NATO Secretary General", False),
    Subject("Les chefs d'état-major de la défense", "The Chiefs of Defence", True),
    Subject("Les Alliés", "Allies", True),
    Subject("Les pays partenaires", "Partner countries", True),
    Subject("Le Conseil de l'Atlantique Nord", "The North Atlantic Council", False),
    Subject("Les experts civils et militaires", "Civilian and military experts", True),
    Subject("Le Comité militaire", "The Military Committee", False),
    Subject("La secrétaire générale adjointe", "The Deputy Secretary General", False),
    Subject("Les ministres des Affaires étrangères", "Foreign Ministers", True),
)

THEMES = (
    Theme("les capacités de défense", "defence capabilities", True, ("Defence capabilities", "Capacités de défense")),
    Theme("la défense intelligente", "Smart Defence", False, ("Smart Defence", "Défense intelligente")),
    Theme("la cyberdéfense", "cyber defence", False, ("Cyber defence", "Cyberdéfense")),
    Theme("la sécurité énergétique", "energy security", False, ("Energy security", "Sécurité énergétique")),
    Theme("la défense antimissile", "missile defence", False, ("Missile defence", "Défense antimissile")),
    Theme("la sécurité maritime", "maritime security", False, ("Maritime security", "Sécurité maritime")),
    Theme(
        "la lutte contre le terrorisme", "counter-terrorism", False, ("Counter-terrorism", "Lutte contre le terrorisme")
    ),
    Theme("les partenariats", "partnerships", True, ("Partnerships", "Partenariats")),
    Theme("le financement commun", "common funding", False, ("Common funding", "Financement commun")),
    Theme("la gestion de crise", "crisis management", False, ("Crisis management", "Gestion de crise")),
    Theme("la formation des forces", "force training", False, ("Training and exercises", "Formation et exercices")),
    Theme("les opérations et missions", "operations and missions", True, ("Operations", "Opérations")),
)

PLACES = (
    Place("Bruxelles", "Brussels"),
    Place("Mons", "Mons"),
    Place("Naples", "Naples"),
    Place("Norfolk", "Norfolk"),
    Place("Varsovie", "Warsaw"),
    Place("Vilnius", "Vilnius"),
    Place("Londres", "London"),
    Place("Madrid", "Madrid"),
    Place("Riga", "Riga"),
    Place("Lisbonne", "Lisbon"),
    Place("Istanbul", "Istanbul"),
    Place("Tallinn", "Tallinn"),
)

# Invented people for benchmarks; real names belong to the demo only.
PEOPLE = (
    PersonSpec("Claire Martin", ("NATO Spokesperson", "Porte-parole de l'OTAN")),
    PersonSpec("Jan Kowalski", ("Ambassador to NATO", "Ambassadeur auprès de l'OTAN")),
    PersonSpec("Ingrid Larsen", ("International security researcher", "Chercheuse en sécurité internationale")),
    PersonSpec("Marco Bianchi", ("Cyber defence expert", "Expert en cyberdéfense")),
    PersonSpec("Sofia Andersson", ("Director of Defence Planning", "Directrice de la planification de défense")),
    PersonSpec("Tomás García", ("Exercise commander", "Commandant de l'exercice")),
    PersonSpec("Eva Novak", ("Minister of Defence", "Ministre de la Défense")),
    PersonSpec("Pieter de Vries", ("Energy security adviser", "Conseiller pour la sécurité énergétique")),
    PersonSpec("Aylin Demir", ("Military Committee delegate", "Déléguée au Comité militaire")),
    PersonSpec("Jonas Petrauskas", ("Crisis management specialist", "Spécialiste de la gestion de crise")),
)

EVENTS = (
    ("the Defence Ministers' meeting", "la réunion des ministres de la Défense"),
    ("the Secretary General's press conference", "la conférence de presse du secrétaire général"),
    ("the crisis management exercise", "l'exercice de gestion de crise"),
    ("the Military Committee visit", "la visite du Comité militaire"),
    ("the summit opening ceremony", "la cérémonie d'ouverture du sommet"),
    ("the cyber defence conference", "la conférence sur la cyberdéfense"),
)

# How interviewees start an answer: (French, English).
OPENERS = (
    ("Merci pour cette question.", "Thank you for that question."),
    ("C'est une question essentielle.", "That is an essential question."),
    ("Eh bien, la situation évolue rapidement.", "Well, the situation is changing fast."),
    ("Je crois qu'il faut être précis.", "I think we need to be precise."),
    ("Permettez-moi d'abord de rappeler le contexte.", "Let me first recall the context."),
)
