"""`load_demo_content`: the bilingual demo site built from the seed documents.

The demo is loaded once for the module (generating its videos takes a few
seconds) inside a transaction that is rolled back afterwards; each test then
runs in its own savepoint as usual.
"""

import html
import io
import json
import re
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

from downloads.models import DownloadJob
from home.demo import builder as demo_builder
from home.demo import loading as demo_loading
from home.demo import seeds, video_seeds
from home.demo.localize import MissingTranslationText, translate
from home.demo.transcripts import TranscriptError, parse_interview, split_paragraphs
from home.models import HomePage
from interviews.models import InterviewIndexPage, InterviewPage
from news.models import NewsArticlePage, NewsIndexPage
from taxonomy.models import PagePerson, Person, Topic
from tests.helpers import make_superuser
from videos import media
from videos.models import Video, VideoIndexPage, VideoPage
from videos.shots import validate_shot_list

# Every test in its own savepoint, and all of them together so the module's demo is loaded once.
pytestmark = pytest.mark.django_db

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
PAGE_MODELS = (HomePage, NewsIndexPage, InterviewIndexPage, VideoIndexPage, NewsArticlePage, InterviewPage, VideoPage)


def snapshot() -> dict:
    """What loading the demo must leave unchanged when run again."""
    counts = {
        f"{model.__name__}.{code}": model.objects.filter(locale__language_code=code).count()
        for model in PAGE_MODELS
        for code in ("en", "fr")
    }
    counts |= {
        f"{model.__name__}.{code}": model.objects.filter(locale__language_code=code).count()
        for model in (Person, Topic)
        for code in ("en", "fr")
    }
    return counts | {
        "pages": Page.objects.count(),
        "live pages": Page.objects.live().count(),
        "images": get_image_model().objects.count(),
        "videos": Video.objects.count(),
        "translation sources": TranslationSource.objects.count(),
        "translations": Translation.objects.count(),
        "string translations": StringTranslation.objects.count(),
        "revisions": Revision.objects.count(),
        "latest revisions": list(Page.objects.order_by("pk").values_list("pk", "latest_revision_id", "live")),
        "sites": list(Site.objects.values_list("hostname", "port", "root_page_id", "is_default_site")),
    }


def delete_stored_files():
    """Rolling back the database leaves the masters and pictures on disk: tens of megabytes per run."""
    for field_file in [video.file for video in Video.objects.all()] + [
        image.file for image in get_image_model().objects.all()
    ]:
        field_file.storage.delete(field_file.name)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        first_output, second_output = io.StringIO(), io.StringIO()
        call_command("load_demo_content", stdout=first_output)
        first = snapshot()
        call_command("load_demo_content", stdout=second_output)
        yield SimpleNamespace(
            first=first,
            second=snapshot(),
            first_output=first_output.getvalue(),
            second_output=second_output.getvalue(),
        )
        delete_stored_files()
        transaction.set_rollback(True)
    cache.clear()  # Wagtail caches site root paths: they pointed at the rolled-back homes


def plain(rich_text) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", str(rich_text)))


def seed_paragraphs(name: str) -> list[str]:
    return split_paragraphs((seeds.CONTENT_DIR / name).read_text(encoding="utf-8"))


def french_article():
    return NewsArticlePage.objects.get(locale__language_code="fr")


def french_interview():
    return InterviewPage.objects.get(locale__language_code="fr")


# --- loading -------------------------------------------------------------------------


def test_loading_twice_leaves_everything_as_it_was(demo):
    assert demo.second == demo.first
    assert "already present" in demo.second_output
    assert "nothing to do" in demo.second_output
    assert "created" in demo.first_output


def test_the_demo_has_one_of_each_section_and_the_seed_pages_in_both_languages(demo):
    expected = {"HomePage", "NewsIndexPage", "InterviewIndexPage", "VideoIndexPage", "NewsArticlePage", "InterviewPage"}
    for name in expected:
        assert demo.first[f"{name}.en"] == demo.first[f"{name}.fr"] == 1, name
    assert demo.first["VideoPage.en"] == demo.first["VideoPage.fr"] == 3
    assert demo.first["Person.en"] == demo.first["Person.fr"] == len(seeds.PEOPLE)
    assert demo.first["Topic.en"] == demo.first["Topic.fr"] == len(seeds.TOPICS)
    # The seed images, and each video's poster (made at once: a page can only be published with a ready video).
    assert demo.first["images"] == len(seeds.IMAGES) + 3
    assert demo.first["videos"] == 3
    # Site tree (4 pages), people, topics, the two seed pages and three video pages.
    assert demo.first["translations"] == 4 + len(seeds.PEOPLE) + len(seeds.TOPICS) + 2 + 3
    assert demo.first["live pages"] == demo.first["pages"]


def test_the_default_site_serves_the_english_home_and_the_welcome_page_is_gone(demo):
    site = Site.objects.get(is_default_site=True)
    home = HomePage.objects.get(locale__language_code="en")
    assert (site.hostname, site.port, site.root_page_id) == ("localhost", seeds.SITE_PORT, home.pk)
    assert not Page.objects.filter(title=demo_builder.WAGTAIL_WELCOME_TITLE).exists()
    french_home = HomePage.objects.get(locale__language_code="fr")
    assert french_home.translation_key == home.translation_key
    assert french_home.title == "Portail média"
    assert [child.specific_class for child in french_home.get_children()] == [
        NewsIndexPage,
        InterviewIndexPage,
        VideoIndexPage,
    ]


def test_the_home_pages_feature_the_article_the_interview_and_a_video(demo):
    for home in HomePage.objects.all():
        targets = [item.target.specific_class for item in home.featured_items.all()]
        assert targets == [NewsArticlePage, InterviewPage, VideoPage]


def test_the_content_files_are_the_seed_documents_after_the_account_screens():
    if not SEEDS_DIR.is_dir():
        pytest.skip("the seed documents are not beside this checkout")
    for seed, copy, first_words in (
        ("portal-and-news-article.fr.txt", "news.fr.txt", "Les pays de l'Alliance cherchent activement"),
        ("portal-and-interview.fr.txt", "interview.fr.txt", "Q:"),
    ):
        original = (SEEDS_DIR / seed).read_text(encoding="utf-8")
        expected = original[original.index(first_words) :]
        assert split_paragraphs((seeds.CONTENT_DIR / copy).read_text(encoding="utf-8")) == split_paragraphs(expected)


# --- the French news article (the seed) ---------------------------------------------------


def test_every_seed_paragraph_is_a_whole_paragraph_block_of_the_french_article(demo):
    article = french_article()
    paragraphs = [plain(block.value) for block in article.body if block.block_type == "paragraph"]
    assert paragraphs == seed_paragraphs("news.fr.txt")
    # The seed's own words and typography survive: typo, guillemets, non-breaking spaces.
    body = " ".join(paragraphs)
    assert "amélorer" in body
    assert "«\u00a0C'est là un des défis" in body
    assert "mardi 9\u00a0octobre" in body


def test_the_french_article_has_its_metadata_quote_image_topics_and_people(demo):
    article = french_article()
    assert article.live
    assert article.title == "Défense intelligente : les ministres de la Défense font le point sur les capacités"
    assert article.dateline == "Bruxelles"
    assert article.published_at.isoformat() == "2012-10-09T15:00:00+00:00"  # 17:00 in Brussels
    assert article.standfirst == seeds.NEWS_ARTICLE["standfirst"][0]
    quotes = [block.value for block in article.body if block.block_type == "quote"]
    assert [(q["quote"], q["attribution"]) for q in quotes] == [
        (
            "C'est là un des défis les plus urgents auxquels notre Alliance est confrontée aujourd'hui",
            "Anders Fogh Rasmussen, secrétaire général de l'OTAN",
        )
    ]
    assert article.lead_image.width == 1600 and article.lead_image.height == 900
    assert article.lead_image.description
    assert {link.topic.name for link in article.topic_links.all()} >= {"Défense intelligente", "Capacités de défense"}
    people = [(link.person.name, link.person.role, link.role) for link in article.person_links.all()]
    assert people == [("Anders Fogh Rasmussen", "Secrétaire général de l'OTAN", PagePerson.Role.MENTIONED)]


# --- the French interview (the seed) ------------------------------------------------------


def test_the_interview_alternates_questions_and_answers_by_bruno_racine(demo):
    interview = french_interview()
    racine = Person.objects.get(name="Bruno Racine", locale__language_code="fr")
    assert [block.block_type for block in interview.body] == ["question", "answer"] * 3
    for block in interview.body:
        if block.block_type == "question":
            assert block.value["asker"] == "" and block.value["outlet"] == ""
        else:
            assert block.value["speaker"] == racine
    assert (interview.date.isoformat(), interview.place) == ("2009-10-15", "Luxembourg")
    assert interview.event == "Premier séminaire sur les tâches de sécurité fondamentales de l'OTAN"
    roles = {(link.person.name, link.role) for link in interview.person_links.all()}
    assert ("Bruno Racine", PagePerson.Role.INTERVIEWEE) in roles
    assert racine.role == "Membre du groupe d'experts sur le nouveau concept stratégique de l'OTAN"


def test_the_interview_blocks_hold_every_seed_paragraph_without_its_label(demo):
    texts = [plain(block.value["text"]) for block in french_interview().body]
    expected = [re.split(r"\s*:\s*", paragraph, maxsplit=1)[1] for paragraph in seed_paragraphs("interview.fr.txt")]
    assert texts == expected


# --- the transcript parser ------------------------------------------------------------------


def test_parsing_the_seed_interview_gives_back_every_paragraph_after_its_label():
    paragraphs = seed_paragraphs("interview.fr.txt")
    turns = parse_interview("\n\n".join(paragraphs), ["Bruno Racine"])
    assert [(turn.kind, turn.speaker) for turn in turns] == [("question", ""), ("answer", "Bruno Racine")] * 3
    # Every label form of the seed: "Q:", "Q :", "Q\u00a0:", "BRUNO RACINE:", "BRUNO RACINE\u00a0:".
    assert [turn.text for turn in turns] == [paragraph.split(":", 1)[1].lstrip() for paragraph in paragraphs]


@pytest.mark.parametrize(
    ("label", "kind", "speaker"),
    [
        ("Q:", "question", ""),
        ("Q :", "question", ""),
        ("q\u00a0:", "question", ""),
        ("Question :", "question", ""),
        ("BRUNO RACINE:", "answer", "Bruno Racine"),
        ("Bruno Racine :", "answer", "Bruno Racine"),
        ("bruno racine\u202f:", "answer", "Bruno Racine"),
    ],
)
def test_labels_are_matched_with_or_without_a_space_and_whatever_their_case(label, kind, speaker):
    [turn] = parse_interview(f"{label} Le texte, avec : un deux-points.", ["Bruno Racine"])
    assert (turn.kind, turn.speaker, turn.text) == (kind, speaker, "Le texte, avec : un deux-points.")


def test_an_unknown_label_is_an_error_not_a_dropped_paragraph():
    with pytest.raises(TranscriptError, match=r"unknown label 'JEAN DUPONT'.*Bruno Racine"):
        parse_interview("Q: Une question ?\n\nJEAN DUPONT: Une réponse.", ["Bruno Racine"])


def test_a_paragraph_without_a_label_continues_the_turn_before_it():
    turns = parse_interview("Q: Une question ?\n\nBRUNO RACINE: D'abord.\n\nEnsuite, ceci.", ["Bruno Racine"])
    assert turns[1].paragraphs == ("D'abord.", "Ensuite, ceci.")
    with pytest.raises(TranscriptError, match="Paragraph 1 has no"):
        parse_interview("Une introduction.\n\nQ: Une question ?", ["Bruno Racine"])
    with pytest.raises(TranscriptError, match="no text"):
        parse_interview("Q:   ", ["Bruno Racine"])


# --- English translations through wagtail-localize ----------------------------------------


def test_the_english_pages_are_live_translations_of_the_french_seed_pages(demo, locales):
    for french in (french_article(), french_interview()):
        english = french.get_translation(locales.en).specific
        assert english.live and not english.has_unpublished_changes
        assert english.translation_key == french.translation_key
        assert english.get_parent().specific_class == french.get_parent().specific_class
        assert english.get_parent().locale == locales.en
    article = french_article().get_translation(locales.en).specific
    assert article.title == "Smart Defence: Defence Ministers take stock of capabilities"
    assert (article.dateline, article.published_at) == ("Brussels", french_article().published_at)
    english_paragraphs = [plain(block.value) for block in article.body if block.block_type == "paragraph"]
    assert english_paragraphs == seed_paragraphs("news.en.txt")
    assert "We need to spend smartly" in english_paragraphs[3]


def test_the_english_interview_is_spoken_by_the_english_bruno_racine(demo, locales):
    interview = french_interview().get_translation(locales.en).specific
    racine = Person.objects.get(name="Bruno Racine", locale=locales.en)
    assert racine.role == "Member of the Group of Experts on NATO's new Strategic Concept"
    answers = [block.value for block in interview.body if block.block_type == "answer"]
    assert [answer["speaker"] for answer in answers] == [racine] * 3
    assert plain(answers[0]["text"]).startswith("Well, I think it was a very good start")
    assert interview.event == "First seminar on NATO's core security tasks"


def test_the_french_seed_pages_are_the_translation_sources_with_every_segment_translated(demo, locales):
    for french in (french_article(), french_interview(), *Person.objects.filter(locale=locales.fr)):
        source = TranslationSource.objects.get_for_instance(french)
        assert source.locale == locales.fr
        translation = source.translations.get(target_locale=locales.en)
        total, translated = translation.get_progress()
        assert total == translated > 0
        assert all(entry.msgstr for entry in translation.export_po())


def test_translators_open_the_english_article_in_the_translation_editor(demo, locales, client, django_user_model):
    client.force_login(make_superuser(django_user_model))
    english = french_article().get_translation(locales.en)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[english.pk]))
    assert response.status_code == 200
    props = json.loads(response.context["props"])
    strings = [segment for segment in props["segments"] if segment["type"] == "string"]
    translated = {item["segment_id"] for item in props["initialStringTranslations"]}
    assert strings and {segment["id"] for segment in strings} <= translated


def test_translating_with_a_missing_text_fails_before_saving_anything(demo, locales):
    topic = Topic.objects.create(locale=locales.fr, name="Sécurité énergétique", slug="securite-energetique")
    with pytest.raises(MissingTranslationText, match="Sécurité énergétique"):
        translate(topic, locales.en, {"securite-energetique": "energy-security"})
    assert not topic.has_translation(locales.en)
    assert TranslationSource.objects.get_for_instance_or_none(topic) is None


# --- videos ------------------------------------------------------------------------------------


def test_the_videos_are_real_probed_masters_of_three_kinds(demo):
    videos = {video.title: video for video in Video.objects.all()}
    kinds = {
        (video.video_codec, video.all_intra, video.frame_rate_exact, video.width, video.height, bool(video.audio_codec))
        for video in videos.values()
    }
    assert kinds == {
        ("h264", False, "25/1", 1280, 720, True),
        ("prores", True, "25/1", 1280, 720, True),
        ("h264", False, "30000/1001", 1280, 720, True),
    }
    for video in videos.values():
        assert video.file_size > 0 and len(video.sha256) == 64
        assert video.file.storage.exists(video.file.name)


def test_every_video_page_has_a_valid_shot_list_translated_into_french(demo, locales):
    for english in VideoPage.objects.filter(locale=locales.en):
        shots = list(english.shots.all())
        assert 3 <= len(shots) <= 4
        assert validate_shot_list(english.video.duration_ms, [(s.in_point, s.out_point) for s in shots]) == []
        french = english.get_translation(locales.fr)
        french_shots = list(french.shots.all())
        assert [(s.in_point, s.out_point, s.translation_key) for s in french_shots] == [
            (s.in_point, s.out_point, s.translation_key) for s in shots
        ]
        assert all(f.description != e.description for f, e in zip(french_shots, shots, strict=True))
        assert french.video_id == english.video_id and french.poster_override_id == english.poster_override_id
        assert english.transcript and english.credits and english.usage_restrictions and english.topic_links.exists()
        assert TranslationSource.objects.get_for_instance(english).locale == locales.en
    speakers = [shot.speaker for shot in VideoPage.objects.get(slug=video_seeds.VIDEOS[0].slug[0]).shots.all()]
    assert [speaker.name for speaker in speakers if speaker] == ["Anders Fogh Rasmussen"]


# --- failure ------------------------------------------------------------------------------------


def test_a_failed_load_rolls_back_and_removes_the_files_it_wrote(locales, tmp_path):
    written = {}

    def build_then_fail(self, **kwargs):
        Person.objects.create(locale=locales.fr, name="Personne Temporaire")
        image = demo_builder.create_title_card_image(
            title="Temporary card", subtitle="", description="", colours=("#000000", "#ffffff"), filename="tmp.jpg"
        )
        self.files.add(image.file)
        path = media.generate_test_video(tmp_path / "tiny.mp4", duration=1, width=64, height=48)
        video = demo_loading.store_video("Temporary video", path, self.files)
        written.update(image=(image.file.storage, image.file.name), video=(video.file.storage, video.file.name))
        raise RuntimeError("ffmpeg died half-way")

    with (
        mock.patch.object(demo_builder.DemoBuilder, "build", build_then_fail),
        pytest.raises(RuntimeError, match="half-way"),
    ):
        call_command("load_demo_content", stdout=io.StringIO())
    assert not Person.objects.filter(name="Personne Temporaire").exists()
    assert not Video.objects.filter(title="Temporary video").exists()
    assert not get_image_model().objects.filter(title="Temporary card").exists()
    for storage, name in written.values():
        assert not storage.exists(name)


def test_a_verified_member_downloads_each_demo_master_and_a_frame_accurate_clip(
    demo, media_account, django_capture_on_commit_callbacks
):
    """The seed's promise, end to end on the demo: the full master, and a clip of the second shot of each video."""
    from django.test import Client

    member = Client()
    member.force_login(media_account())
    for page in VideoPage.objects.live().filter(locale__language_code="en").select_related("video"):
        video = page.video
        full = member.post(f"/api/v1/videos/{video.pk}/downloads", {"kind": "full"}, content_type="application/json")
        assert full.status_code == 200, full.content
        served = member.get(full.json()["url"].removeprefix("http://testserver"), headers={"Range": "bytes=0-99"})
        with video.file.open("rb") as master:
            assert served.status_code == 206 and b"".join(served.streaming_content) == master.read(100)

        shot = page.shots.order_by("sort_order")[1]
        mode = "fast" if video.all_intra else "exact"  # both frame-accurate: stream copy of an intra-only master
        with django_capture_on_commit_callbacks(execute=True):
            job = member.post(
                f"/api/v1/videos/{video.pk}/downloads",
                {"kind": "shots", "shots": [shot.pk], "mode": mode},
                content_type="application/json",
            ).json()
        status = member.get(f"/api/v1/downloads/{job['job_id']}").json()
        assert status["status"] == "ready", status
        frame = 1000 * Fraction(video.frame_rate_exact) ** -1
        assert abs(status["actual"]["start_ms"] - shot.in_point) < frame, (video.title, status)
        assert abs(status["actual"]["end_ms"] - shot.out_point) < frame, (video.title, status)
        clip = DownloadJob.objects.get(pk=job["job_id"]).file
        assert abs(media.probe(clip.path).duration * 1000 - (shot.out_point - shot.in_point)) < 2 * frame
        clip.storage.delete(clip.name)
