"""The search tests' portal: the bilingual demo content, some generated content and a few purpose-built pages.

Built once per module inside a transaction rolled back at the end (as in
tests/cms). Demo videos are generated small: search reads their words, not
their pictures.

`api_engine` runs a module's tests once per engine of `/api/v1/search/`: the
portal's own index, and Wagtail's database backend (a real backend: FTS5 on
SQLite, `tsvector` on PostgreSQL) selected with `SEARCH_API_BACKEND`.
"""

import datetime
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from modelsearch.backends import get_search_backend
from modelsearch.backends.base import BaseSearchBackend
from wagtail.documents import get_document_model
from wagtail.models import Locale, Page

from home.demo import builder
from news.models import NewsArticlePage, NewsIndexPage
from search.index import rebuild
from search.models import SearchDocument, SearchSynonym
from videos.models import Video, VideoCaptionTrack, VideoIndexPage, VideoPage

_generate = builder.media.generate_test_video


def _small_video(path, **options):
    # Same duration (the shot lists depend on it), a fraction of the pixels.
    return _generate(
        path, **{**options, "width": 160, "height": 90, "fps": 5 if options.get("codec") != "h264" else 10}
    )


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def caption_document(title, cues):
    body = "WEBVTT\n\n" + "\n\n".join(f"00:00:0{i}.000 --> 00:00:0{i + 1}.000\n{cue}" for i, cue in enumerate(cues))
    return get_document_model().objects.create(title=title, file=ContentFile(body.encode(), name=f"{title}.vtt"))


def build_extras(en: Locale, fr: Locale) -> SimpleNamespace:
    news_en = NewsIndexPage.objects.get(locale=en, slug="news")
    news_fr = NewsIndexPage.objects.get(locale=fr, slug="actualites")

    def article(parent, locale, slug, title, body="", standfirst="", days=10, live=True):
        page = NewsArticlePage(
            locale=locale,
            title=title,
            slug=slug,
            standfirst=standfirst,
            published_at=datetime.datetime(2020, 3, 1, tzinfo=datetime.UTC) - datetime.timedelta(days=days),
            body=[("paragraph", f"<p>{body}</p>")] if body else [],
            live=live,
        )
        parent.add_child(instance=page)
        return publish(page) if live else page

    video = Video.objects.order_by("pk").first()

    def short_video(locale, slug, title, summary):
        parent = VideoIndexPage.objects.get(locale=locale)
        page = VideoPage(
            locale=locale, title=title, slug=slug, video=video, summary=summary, recorded_on=datetime.date(2020, 2, 1)
        )
        parent.add_child(instance=page)
        return publish(page)

    extras = SimpleNamespace(
        icebreakers=article(news_en, en, "icebreakers", "Icebreakers in the High North", "Ships and crews train."),
        maritime=article(
            news_en, en, "maritime-update", "Maritime update", "Allied navies also discussed icebreakers once."
        ),
        draft=article(news_en, en, "draft-icebreaker", "Icebreaker secrets", "Never published.", live=False),
        brise_glace=article(
            news_fr,
            fr,
            "brise-glace",
            "Les brise-glace du Grand Nord",
            "Les équipages s’entraînent près de l’Arctique.",
        ),
    )
    # A long piece about a subject against short video summaries that merely mention it, in each language.
    extras.long_vs_short = {}
    for language, locale, news, word, title, standfirst, sentences in (
        (
            "en",
            en,
            news_en,
            "hydrography",
            "Charting the seabed for allied navies",
            "Hydrography is how navies know the waters they sail.",
            LONG_ENGLISH,
        ),
        (
            "fr",
            fr,
            news_fr,
            "déminage",
            "Sous la mer, le travail patient des plongeurs",
            "Le déminage des fonds marins occupe les marines alliées depuis des décennies.",
            LONG_FRENCH,
        ),
    ):
        long_piece = article(news, locale, f"long-{word}", title, " ".join(sentences), standfirst=standfirst)
        shorts = [
            short_video(locale, f"short-{word}-{n}", title_, summary)
            for n, (title_, summary) in enumerate(SHORT_SUMMARIES[language])
        ]
        extras.long_vs_short[language] = (long_piece, shorts)
    # Editors' synonyms: an English snippet and its French translation are one group.
    nato = SearchSynonym.objects.create(locale=en, terms="NATO, North Atlantic Treaty Organization")
    SearchSynonym.objects.create(locale=fr, translation_key=nato.translation_key, terms="OTAN")
    general = SearchSynonym.objects.create(locale=fr, terms="SG, secrétaire général")
    SearchSynonym.objects.create(locale=en, translation_key=general.translation_key, terms="SG, Secretary General")
    # Captions: each page's own language is searched, the other language's track is not.
    hq_en = VideoPage.objects.get(locale=en, slug="b-roll-nato-headquarters-brussels")
    hq_fr = hq_en.get_translation(fr).specific
    english = caption_document("hq-en", ["Protecting submarine cables is a priority."])
    french = caption_document("hq-fr", ["Protéger les câbles sous-marins est une priorité."])
    for page in (hq_en, hq_fr):
        VideoCaptionTrack.objects.create(page=page, locale=en, document=english)
        VideoCaptionTrack.objects.create(page=page, locale=fr, document=french)
    return extras


LONG_ENGLISH = [
    "Before a frigate sails into unfamiliar waters, someone has measured them.",
    "Hydrography, the science of measuring the seabed, sets the safe depth of every channel.",
    "Survey ships run sonar lines day and night, and each line adds a strip to the chart.",
    "Allied hydrography offices share their surveys so that a chart drawn in one navy serves all.",
    "The work is slow: a single bay can take a season, and storms undo the plan.",
    "Modern hydrography relies on multibeam sonar, satellite positioning and careful tide models.",
    "Uncrewed boats now extend the survey into shallow water where ships cannot go.",
    "Data from hydrography feeds submarine routes, mine countermeasures and harbour planning.",
    "Officers train for years before they sign off a chart as fit for navigation.",
    "Without hydrography, the most advanced warship would still be sailing blind.",
]
LONG_FRENCH = [
    "Avant qu'un navire ne franchisse un chenal, des plongeurs l'ont inspecté.",
    "Le déminage des fonds marins reste une tâche quotidienne pour les marines alliées.",
    "Des engins explosifs des deux guerres mondiales reposent encore au large des côtes.",
    "Les équipes de déminage repèrent les objets au sonar, puis les identifient une à une.",
    "Le travail est lent : une seule baie peut demander une saison entière.",
    "Les chasseurs de mines et les drones sous-marins ont transformé le déminage.",
    "Chaque opération de déminage se prépare avec les autorités portuaires et les pêcheurs.",
    "Les plongeurs démineurs s'entraînent pendant des années avant leur première mission.",
    "Le déminage rend la mer aux pêcheurs, aux ferries et aux câbles sous-marins.",
    "Sans ce déminage patient, bien des ports resteraient fermés.",
]
SHORT_SUMMARIES = {
    "en": [
        ("Port visit in Gdynia", "Sailors tour the harbour; a hydrography launch is moored nearby."),
        ("Bridge drill at sea", "The watch team plots a course, with a note on hydrography."),
        ("Open day on the quay", "Visitors board a ship; hydrography is mentioned on a panel."),
    ],
    "fr": [
        ("Escale à Brest", "Les marins visitent le port ; un bâtiment de déminage est à quai."),
        ("Exercice de quart", "L'équipe de quart trace une route, avec un mot sur le déminage."),
        ("Journée portes ouvertes", "Le public monte à bord ; le déminage est cité sur un panneau."),
    ],
}


def page_keys(en: Locale, fr: Locale, extras: SimpleNamespace) -> dict[str, Page]:
    """Pages by the short names the relevance set uses."""
    from interviews.models import InterviewPage

    def pair(model, english_slug):
        page = model.objects.get(locale=en, slug=english_slug)
        return page, page.get_translation(fr)

    keys = {}
    for name, model, slug in (
        ("news", NewsArticlePage, "smart-defence-ministers-take-stock"),
        ("interview", InterviewPage, "interview-with-bruno-racine"),
        ("video-press", VideoPage, "press-conference-by-the-nato-secretary-general"),
        ("video-hq", VideoPage, "b-roll-nato-headquarters-brussels"),
        ("video-seminar", VideoPage, "seminar-on-natos-core-security-tasks-luxembourg"),
    ):
        keys[f"{name}-en"], keys[f"{name}-fr"] = pair(model, slug)
    keys.update(
        {
            "icebreakers-en": extras.icebreakers,
            "maritime-en": extras.maritime,
            "draft-en": extras.draft,
            "brise-glace-fr": extras.brise_glace,
        }
    )
    for language, (long_piece, shorts) in extras.long_vs_short.items():
        keys[f"long-{language}"] = long_piece
        for n, page in enumerate(shorts):
            keys[f"short-{n}-{language}"] = page
    return keys


@pytest.fixture(scope="module")
def portal(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with mock.patch.object(builder.media, "generate_test_video", _small_video):
            call_command("load_demo_content", verbosity=0)
        call_command("generate_content", news=12, interviews=6, seed=7, verbosity=0)
        en, fr = Locale.objects.get(language_code="en"), Locale.objects.get(language_code="fr")
        extras = build_extras(en, fr)
        # Inside this never-committed transaction, after-commit listeners never run: index now, in the
        # portal's index and in Wagtail's database backend, so that either engine can serve the module.
        rebuild()
        get_search_backend(WAGTAIL_ENGINE).add_bulk(SearchDocument, list(SearchDocument.objects.all()))
        cache.clear()
        yield SimpleNamespace(en=en, fr=fr, pages=page_keys(en, fr, extras), **vars(extras))
        transaction.set_rollback(True)
    cache.clear()


# SEARCH_API_BACKEND values under test: the portal's own index, and the WAGTAILSEARCH_BACKENDS entry that is
# Wagtail's database backend in the tests (Elasticsearch/OpenSearch: test_elasticsearch_live.py).
PORTAL_ENGINE = "portal"
WAGTAIL_ENGINE = "default"


@pytest.fixture(scope="module", params=[PORTAL_ENGINE, WAGTAIL_ENGINE], ids=["portal-index", "wagtail-database"])
def engine_name(request):
    return request.param


@pytest.fixture
def api_engine(engine_name, settings):
    """The engine serving /api/v1/search/ in this test (`pytestmark = pytest.mark.usefixtures("api_engine")`)."""
    settings.SEARCH_API_BACKEND = engine_name
    cache.clear()  # answers cached under the other engine
    return engine_name


class UnreachableSearchService(BaseSearchBackend):
    """Stands for Elasticsearch/OpenSearch down: every request fails, as the client's ConnectionError does."""

    catch_indexing_errors = True

    def add_bulk(self, model, objects):
        raise ConnectionError("search.example:9200 refused the connection")

    def delete(self, obj):
        raise ConnectionError("search.example:9200 refused the connection")

    def search(self, *args, **kwargs):
        raise ConnectionError("search.example:9200 refused the connection")


UNREACHABLE = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
    "remote": {"BACKEND": f"{__name__}.UnreachableSearchService"},
}
