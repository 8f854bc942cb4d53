"""The translators' workflow with wagtail-localize, end to end.

Driven through wagtail-localize's admin views, as a translator's browser
drives them: "Translate this page" (submit), the translation editor (its
React props, then the PUT endpoint each segment posts to), "Publish" in the
editor, "Sync translated pages", PO download/upload and machine translation.
Publishing happens in `transaction.on_commit`, so every request that
publishes runs inside `django_capture_on_commit_callbacks(execute=True)`.
"""

import html
import importlib.util
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import environ
import polib
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from wagtail.rich_text import RichText
from wagtail_localize.machine_translators import get_machine_translator
from wagtail_localize.machine_translators.deepl import DeepLTranslator
from wagtail_localize.machine_translators.dummy import DummyTranslator
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

import cms.settings.base
from interviews.models import InterviewPage
from news.models import NewsArticlePage, NewsIndexPage
from taxonomy.models import Person, Topic
from tests.helpers import form_put, make_article, make_image, make_person, make_superuser, make_topic
from videos.models import VideoPage, VideoShot

# What the translator types for each English source text of the article.
FRENCH = {
    "Allies open the summit": "Les Alliés ouvrent le sommet",
    "allies-open-the-summit": "les-allies-ouvrent-le-sommet",
    "Leaders meet in Brussels.": "Les dirigeants se réunissent à Bruxelles.",
    "The summit opened on Monday.": "Le sommet s’est ouvert lundi.",
    "What is at stake": "Les enjeux",
    "We stand together.": "Nous sommes unis.",
    "Jane Doe": "Jane Doe",
}


@pytest.fixture
def editor(django_user_model):
    return make_superuser(django_user_model)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def publishing(django_capture_on_commit_callbacks):
    """Run what wagtail-localize defers to transaction.on_commit (publishing) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def article(site_tree, locales):
    return make_article(
        site_tree.news,
        topic=make_topic(locales.en),
        person=make_person(locales.en),
        lead_image=make_image(),
        # To the minute, as the admin's date picker sets it: wagtail-localize copies
        # synchronized values through JSON, which keeps milliseconds, not microseconds.
        published_at=datetime(2025, 6, 2, 9, 30, tzinfo=UTC),
    )


def without_block_keys(html):
    return re.sub(r' data-block-key="[^"]*"', "", html)


def body_texts(page):
    """The words of each block, in order: what a reader sees of the body."""
    texts = []
    for block in page.body:
        if block.block_type == "paragraph":
            texts.append(without_block_keys(block.value.source))
        elif block.block_type == "heading":
            texts.append((block.value["text"], block.value["level"]))
        elif block.block_type == "quote":
            texts.append((block.value["quote"], block.value["attribution"]))
    return texts


def submit_page_translation(client, page, locale):
    return client.post(reverse("wagtail_localize:submit_page_translation", args=[page.pk]), {"locales": [locale.pk]})


def editor_props(client, instance_edit_url):
    """GET the translation editor and return the props its React component receives."""
    response = client.get(instance_edit_url)
    assert response.status_code == 200
    assert "wagtail_localize/admin/edit_translation.html" in [template.name for template in response.templates]
    return json.loads(response.context["props"])


def translate_segments(client, props, translations):
    """Type a translation into each segment of the editor, through the URL the editor PUTs to."""
    typed = 0
    for segment in props["segments"]:
        if segment["type"] == "string" and segment["source"] in translations:
            response = form_put(client, segment["editUrl"], {"value": translations[segment["source"]]})
            assert response.status_code == 201, response.content
            typed += 1
    return typed


def sync_translations(client, source_instance):
    """Press "Sync translated pages" (or snippets), publishing the translations at once."""
    source = TranslationSource.objects.get_for_instance(source_instance)
    url = reverse("wagtail_localize:update_translations", args=[source.pk])
    return client.post(url, {"publish_translations": "on"})


def page_edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def messages_of(response):
    return [(message.level_tag, html.unescape(str(message)).strip()) for message in get_messages(response.wsgi_request)]


# --------------------------------------------------------------------------- #
# A news article, from submission to sync
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_translating_a_news_article_to_french_then_syncing_the_source(
    editor_client, publishing, article, site_tree, locales
):
    # 1. "Translate this page" into French.
    with publishing():
        response = submit_page_translation(editor_client, article, locales.fr)
    french = article.get_translation(locales.fr)
    assert response.status_code == 302
    assert response["Location"] == page_edit_url(french)
    assert french.locale == locales.fr
    assert french.get_parent().specific_class is NewsIndexPage  # the French news index was made too
    assert french.get_parent().locale == locales.fr
    # Nothing is translated yet: the French copy carries the English texts.
    assert french.title == "Allies open the summit"

    # 2. The translation editor lists every translatable text of the article, nothing synchronized.
    props = editor_props(editor_client, page_edit_url(french))
    # (The editor groups segments by admin tab, the slug being on "Promote"; `order` is the source order.)
    strings = sorted(
        (segment for segment in props["segments"] if segment["type"] == "string"), key=lambda s: s["order"]
    )
    assert [segment["source"] for segment in strings] == [
        "Allies open the summit",
        "allies-open-the-summit",
        "Leaders meet in Brussels.",
        "The summit opened on Monday.",
        "What is at stake",
        "We stand together.",
        "Jane Doe",
    ]
    assert props["locale"]["code"] == "fr"

    # 3. The translator types each translation, then publishes.
    assert translate_segments(editor_client, props, FRENCH) == len(FRENCH)
    with publishing():
        response = editor_client.post(page_edit_url(french), {"action": "publish"})
    assert response.status_code == 302
    assert ("success", "Published 'Les Alliés ouvrent le sommet' in French.") in messages_of(response)

    french = NewsArticlePage.objects.get(pk=french.pk)
    assert french.live and not french.has_unpublished_changes
    assert (french.title, french.slug, french.standfirst) == (
        "Les Alliés ouvrent le sommet",
        "les-allies-ouvrent-le-sommet",
        "Les dirigeants se réunissent à Bruxelles.",
    )
    assert body_texts(french) == [
        "<p>Le sommet s’est ouvert lundi.</p>",
        ("Les enjeux", "h2"),
        ("Nous sommes unis.", "Jane Doe"),
    ]
    # Synchronized, not translated: the same date, image, topic and person.
    assert french.published_at == article.published_at
    assert french.lead_image_id == article.lead_image_id is not None
    assert [link.topic_id for link in french.topic_links.all()] == [link.topic_id for link in article.topic_links.all()]
    assert [(link.person_id, link.role) for link in french.person_links.all()] == [
        (link.person_id, link.role) for link in article.person_links.all()
    ]
    assert french.topic_links.count() == french.person_links.count() == 1
    # The English page is untouched.
    article.refresh_from_db()
    assert article.title == "Allies open the summit"

    # 4. The English source changes: one paragraph edited, one paragraph added.
    source_revision = article.get_latest_revision_as_object()
    source_revision.body[0].value = source_revision.body[0].block.to_python("<p>The summit opened on Tuesday.</p>")
    source_revision.body.append(("paragraph", "<p>Talks continue tomorrow.</p>"))
    source_revision.save_revision().publish()

    # The French page does not change until someone syncs it.
    assert len(NewsArticlePage.objects.get(pk=french.pk).body) == 3

    # 5. "Sync translated pages", publishing immediately.
    with publishing():
        response = sync_translations(editor_client, article)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[article.get_parent().pk])

    french = NewsArticlePage.objects.get(pk=french.pk)
    assert french.live and not french.has_unpublished_changes
    # Unchanged segments keep their translations. The edited paragraph is a new
    # source string, so the old French sentence no longer applies: it falls back
    # to the new English text, as does the added paragraph, until translated.
    assert french.title == "Les Alliés ouvrent le sommet"
    assert french.standfirst == "Les dirigeants se réunissent à Bruxelles."
    assert body_texts(french) == [
        "<p>The summit opened on Tuesday.</p>",
        ("Les enjeux", "h2"),
        ("Nous sommes unis.", "Jane Doe"),
        "<p>Talks continue tomorrow.</p>",
    ]
    # The block structure follows the source, block ids included.
    assert [block.id for block in french.body] == [block.id for block in article.get_latest_revision_as_object().body]
    # The editor now offers the two new sentences, untranslated.
    props = editor_props(editor_client, page_edit_url(french))
    translated = {item["segment_id"] for item in props["initialStringTranslations"]}
    untranslated = [
        segment["source"]
        for segment in props["segments"]
        if segment["type"] == "string" and segment["id"] not in translated
    ]
    assert untranslated == ["The summit opened on Tuesday.", "Talks continue tomorrow."]

    # 6. Translating the new sentences and publishing completes the French page.
    translate_segments(
        editor_client,
        props,
        {
            "The summit opened on Tuesday.": "Le sommet s’est ouvert mardi.",
            "Talks continue tomorrow.": "Les discussions reprennent demain.",
        },
    )
    with publishing():
        editor_client.post(page_edit_url(french), {"action": "publish"})
    french = NewsArticlePage.objects.get(pk=french.pk)
    assert body_texts(french)[0] == "<p>Le sommet s’est ouvert mardi.</p>"
    assert body_texts(french)[3] == "<p>Les discussions reprennent demain.</p>"


@pytest.mark.django_db
def test_publishing_with_missing_translations_warns_and_keeps_the_source_text(
    editor_client, publishing, article, locales
):
    with publishing():
        submit_page_translation(editor_client, article, locales.fr)
    french = article.get_translation(locales.fr)
    props = editor_props(editor_client, page_edit_url(french))
    translate_segments(editor_client, props, {"Allies open the summit": "Les Alliés ouvrent le sommet"})

    with publishing():
        response = editor_client.post(page_edit_url(french), {"action": "publish"})

    assert (
        "warning",
        "Published 'Les Alliés ouvrent le sommet' in French with missing translations - see below.",
    ) in messages_of(response)
    french = NewsArticlePage.objects.get(pk=french.pk)
    assert french.title == "Les Alliés ouvrent le sommet"
    assert french.standfirst == "Leaders meet in Brussels."


@pytest.mark.django_db
def test_a_translation_refused_by_validation_is_not_published(editor_client, publishing, article, locales):
    with publishing():
        submit_page_translation(editor_client, article, locales.fr)
    french = article.get_translation(locales.fr)
    props = editor_props(editor_client, page_edit_url(french))
    # A page title is limited to 255 characters.
    translate_segments(
        editor_client, props, {"Allies open the summit": "x" * 300, "Leaders meet in Brussels.": "Bonjour."}
    )

    with publishing():
        response = editor_client.post(page_edit_url(french), {"action": "publish"})

    assert [level for level, _text in messages_of(response)] == ["error"]
    french = NewsArticlePage.objects.get(pk=french.pk)
    assert (french.title, french.standfirst) == ("Allies open the summit", "Leaders meet in Brussels.")
    # The editor shows the problem next to the title's translation.
    title_translation = StringTranslation.objects.get(locale=locales.fr, context__path="title")
    assert title_translation.has_error
    assert "255" in title_translation.get_error()


# --------------------------------------------------------------------------- #
# PO files
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_po_export_then_import_round_trips(editor_client, publishing, article, locales):
    with publishing():
        submit_page_translation(editor_client, article, locales.fr)
    french = article.get_translation(locales.fr)
    translation = Translation.objects.get(source__object_id=article.translation_key, target_locale=locales.fr)
    translate_segments(
        editor_client, editor_props(editor_client, page_edit_url(french)), {"What is at stake": "Les enjeux"}
    )

    # Export: every source string with its context, and the translations made so far.
    response = editor_client.get(reverse("wagtail_localize:download_pofile", args=[translation.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename=allies-open-the-summit-fr.po"
    po = polib.pofile(response.content.decode())
    assert po.metadata["X-WagtailLocalize-TranslationID"] == str(translation.uuid)
    entries = {entry.msgid: entry for entry in po}
    assert set(entries) == set(FRENCH)
    assert entries["What is at stake"].msgstr == "Les enjeux"
    assert entries["Leaders meet in Brussels."].msgctxt == "standfirst"
    assert entries["Leaders meet in Brussels."].msgstr == ""

    # The translator fills in the standfirst offline, and uploads the file.
    entries["Leaders meet in Brussels."].msgstr = "Les dirigeants se réunissent à Bruxelles."
    upload = SimpleUploadedFile("article-fr.po", str(po).encode(), content_type="text/x-gettext-translation")
    response = editor_client.post(
        reverse("wagtail_localize:upload_pofile", args=[translation.pk]),
        {"file": upload, "next": page_edit_url(french)},
    )
    assert response.status_code == 302
    assert response["Location"] == page_edit_url(french)
    assert ("success", "Successfully imported translations from PO File.") in messages_of(response)
    imported = StringTranslation.objects.get(locale=locales.fr, data="Les dirigeants se réunissent à Bruxelles.")
    assert imported.tool_name == "PO File"

    with publishing():
        editor_client.post(page_edit_url(french), {"action": "publish"})
    french = NewsArticlePage.objects.get(pk=french.pk)
    assert french.standfirst == "Les dirigeants se réunissent à Bruxelles."
    assert body_texts(french)[1] == ("Les enjeux", "h2")


@pytest.mark.django_db
def test_a_po_file_made_for_another_translation_is_refused(editor_client, publishing, article, site_tree, locales):
    other = make_article(site_tree.news, title="Another story", slug="another-story")
    with publishing():
        submit_page_translation(editor_client, article, locales.fr)
        submit_page_translation(editor_client, other, locales.fr)
    translation = Translation.objects.get(source__object_id=article.translation_key)
    other_translation = Translation.objects.get(source__object_id=other.translation_key)
    po = other_translation.export_po()
    for entry in po:
        entry.msgstr = "Faux"

    response = editor_client.post(
        reverse("wagtail_localize:upload_pofile", args=[translation.pk]),
        {"file": SimpleUploadedFile("other.po", str(po).encode()), "next": "/admin/"},
    )

    assert ("error", "Cannot import PO file that was created for a different translation.") in messages_of(response)
    assert not StringTranslation.objects.filter(data="Faux").exists()


def test_po_import_through_the_model_api(db, publishing, article, locales):
    """The same round trip without the views: Translation.export_po() / import_po() / save_target()."""
    source, _created = TranslationSource.get_or_create_from_instance(article)
    translation = Translation.objects.create(source=source, target_locale=locales.fr)
    with publishing():
        translation.save_target(publish=True)

    po = translation.export_po()
    for entry in po:
        entry.msgstr = FRENCH[entry.msgid]
    assert translation.import_po(polib.pofile(str(po))) == []
    with publishing():
        translation.save_target(publish=True)

    french = NewsArticlePage.objects.get(translation_key=article.translation_key, locale=locales.fr)
    assert french.live
    assert french.title == "Les Alliés ouvrent le sommet"
    assert body_texts(french)[0] == "<p>Le sommet s’est ouvert lundi.</p>"
    # A re-export now carries every translation.
    assert {entry.msgid: entry.msgstr for entry in translation.export_po()} == FRENCH


# --------------------------------------------------------------------------- #
# Machine translation
# --------------------------------------------------------------------------- #


def load_base_settings(monkeypatch, **environment):
    """Run cms/settings/base.py afresh (as a separate module) with exactly this DeepL environment.

    A developer's `.env` file is not read, so it cannot bring a real key in.
    """
    monkeypatch.setattr(environ.Env, "read_env", classmethod(lambda cls, *args, **kwargs: None))
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    path = Path(cms.settings.base.__file__)
    spec = importlib.util.spec_from_file_location("settings_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_a_deepl_key_the_dummy_translator_is_configured(monkeypatch):
    settings_module = load_base_settings(monkeypatch)
    assert settings_module.WAGTAILLOCALIZE_MACHINE_TRANSLATOR == {
        "CLASS": "wagtail_localize.machine_translators.dummy.DummyTranslator"
    }
    with override_settings(WAGTAILLOCALIZE_MACHINE_TRANSLATOR=settings_module.WAGTAILLOCALIZE_MACHINE_TRANSLATOR):
        assert isinstance(get_machine_translator(), DummyTranslator)


def test_with_a_deepl_key_deepl_is_configured(monkeypatch):
    settings_module = load_base_settings(monkeypatch, DEEPL_AUTH_KEY="0000-test-key:fx")
    assert settings_module.WAGTAILLOCALIZE_MACHINE_TRANSLATOR == {
        "CLASS": "wagtail_localize.machine_translators.deepl.DeepLTranslator",
        "OPTIONS": {"AUTH_KEY": "0000-test-key:fx"},
    }
    with override_settings(WAGTAILLOCALIZE_MACHINE_TRANSLATOR=settings_module.WAGTAILLOCALIZE_MACHINE_TRANSLATOR):
        translator = get_machine_translator()
    assert isinstance(translator, DeepLTranslator)
    assert translator.options == {"AUTH_KEY": "0000-test-key:fx"}
    # A free-plan key (":fx") goes to the free endpoint; nothing is sent here.
    assert translator.get_api_endpoint() == "https://api-free.deepl.com/v2/translate"


@pytest.fixture
def dummy_translator(monkeypatch, settings):
    """The machine translator the settings choose when no DeepL key is set (never DeepL in tests)."""
    settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR = load_base_settings(monkeypatch).WAGTAILLOCALIZE_MACHINE_TRANSLATOR


@pytest.mark.django_db
def test_machine_translation_fills_the_missing_translations(
    editor_client, editor, publishing, dummy_translator, article, locales
):
    with publishing():
        submit_page_translation(editor_client, article, locales.fr)
    french = article.get_translation(locales.fr)
    translation = Translation.objects.get(source__object_id=article.translation_key, target_locale=locales.fr)
    props = editor_props(editor_client, page_edit_url(french))
    assert props["machineTranslator"]["name"] == "Dummy translator"
    # A translator's own work is kept: machine translation only fills the gaps.
    translate_segments(editor_client, props, {"Allies open the summit": "Les Alliés ouvrent le sommet"})

    url = reverse("wagtail_localize:machine_translate", args=[translation.pk])
    response = editor_client.post(url, {"next": page_edit_url(french)})

    assert response.status_code == 302
    assert response["Location"] == page_edit_url(french)
    assert ("success", "Successfully translated with Dummy translator.") in messages_of(response)
    machine = StringTranslation.objects.filter(locale=locales.fr, translation_type="machine")
    assert machine.count() == StringSegment.objects.filter(source=translation.source).count() - 1
    assert {item.tool_name for item in machine} == {"Dummy translator"}
    assert {item.last_translated_by for item in machine} == {editor}

    # Nothing is left for a second run.
    response = editor_client.post(url, {"next": page_edit_url(french)})
    assert ("warning", "There isn't anything left to translate.") in messages_of(response)

    with publishing():
        editor_client.post(page_edit_url(french), {"action": "publish"})
    french = NewsArticlePage.objects.get(pk=french.pk)
    # The dummy translator reverses the words (and the order of inline elements).
    assert french.title == "Les Alliés ouvrent le sommet"
    assert french.standfirst == "Brussels. in meet Leaders"
    assert body_texts(french) == [
        "<p>Monday. on opened summit The</p>",
        ("stake at is What", "h2"),
        ("together. stand We", "Doe Jane"),
    ]


# --------------------------------------------------------------------------- #
# An interview: the people who answer are shown in the reader's language
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_translating_an_interview_translates_its_speakers_too(editor_client, publishing, site_tree, locales):
    speaker = make_person(locales.en, name="Jane Doe", role="Secretary General")
    interview = InterviewPage(
        title="Five questions",
        slug="five-questions",
        body=[
            ("question", {"text": RichText("<p>What comes next?</p>"), "asker": "", "outlet": ""}),
            ("answer", {"speaker": speaker, "text": RichText("<p>More cooperation.</p>")}),
        ],
    )
    site_tree.interviews.add_child(instance=interview)
    interview.save_revision().publish()

    with publishing():
        submit_page_translation(editor_client, interview, locales.fr)

    # The speaker was submitted along with the page, and the French answer points at the French person.
    french_speaker = speaker.get_translation(locales.fr)
    assert (french_speaker.name, french_speaker.role) == ("Jane Doe", "Secretary General")
    assert Translation.objects.filter(source__object_id=speaker.translation_key, target_locale=locales.fr).exists()
    french = InterviewPage.objects.get(translation_key=interview.translation_key, locale=locales.fr)
    assert [block.block_type for block in french.body] == ["question", "answer"]
    assert french.body[1].value["speaker"] == french_speaker
    assert interview.specific.body[1].value["speaker"] == speaker


# --------------------------------------------------------------------------- #
# A video page: the asset and timecodes synchronized, the words translated
# --------------------------------------------------------------------------- #


@pytest.fixture
def video_page(site_tree, make_video, locales):
    speaker = make_person(locales.en)
    page = VideoPage(
        title="Press conference",
        slug="press-conference",
        video=make_video(),
        recorded_on="2025-06-02",
        place="Brussels",
        summary="The opening press conference.",
        copyright="Media portal",
    )
    page.shots = [
        VideoShot(in_point=0, out_point=1_500, description="Ministers arrive.", locale=locales.en),
        VideoShot(
            in_point=1_500, out_point=3_000, description="Opening statement.", speaker=speaker, locale=locales.en
        ),
    ]
    site_tree.videos.add_child(instance=page)
    page.save_revision().publish()
    return page


def shots_of(page):
    return [
        (shot.in_point, shot.out_point, shot.description, shot.speaker_id) for shot in page.shots.order_by("sort_order")
    ]


@pytest.mark.django_db
def test_a_video_page_translation_keeps_the_asset_and_timecodes_and_translates_the_words(
    editor_client, publishing, video_page, make_video, locales
):
    with publishing():
        submit_page_translation(editor_client, video_page, locales.fr)
    french = video_page.get_translation(locales.fr)

    props = editor_props(editor_client, page_edit_url(french))
    sources = {segment["source"] for segment in props["segments"] if segment["type"] == "string"}
    assert {"Ministers arrive.", "Opening statement.", "The opening press conference.", "Brussels"} <= sources
    # The asset, the dates and the timecodes are neither translated nor overridable;
    # the copyright is synchronized but a translator may override it.
    assert [segment["contentPath"] for segment in props["segments"] if segment["type"] != "string"] == ["copyright"]

    translate_segments(
        editor_client,
        props,
        {
            "Press conference": "Conférence de presse",
            "Ministers arrive.": "Arrivée des ministres.",
            "Opening statement.": "Déclaration liminaire.",
            "The opening press conference.": "La conférence de presse d’ouverture.",
        },
    )
    with publishing():
        editor_client.post(page_edit_url(french), {"action": "publish"})

    french = VideoPage.objects.get(pk=french.pk)
    assert french.live
    assert (french.title, french.summary) == ("Conférence de presse", "La conférence de presse d’ouverture.")
    assert (french.video_id, french.recorded_on, french.copyright) == (
        video_page.video_id,
        video_page.recorded_on,
        "Media portal",
    )
    speaker_id = video_page.shots.get(in_point=1_500).speaker_id
    assert shots_of(french) == [
        (0, 1_500, "Arrivée des ministres.", None),
        (1_500, 3_000, "Déclaration liminaire.", speaker_id),
    ]
    # Each French shot is the translation of an English one.
    assert {(shot.translation_key, shot.locale_id) for shot in french.shots.all()} == {
        (shot.translation_key, locales.fr.pk) for shot in video_page.shots.all()
    }

    # The editor re-times the shots and swaps the master: a sync carries both over, the words stay French.
    new_video = make_video(title="Re-edited master")
    english = video_page.get_latest_revision_as_object()
    english.video = new_video
    first, second = english.shots.all()
    first.out_point, second.in_point = 1_000, 1_000
    english.shots = [first, second]
    english.recorded_on = "2025-06-03"
    english.save_revision().publish()
    with publishing():
        assert sync_translations(editor_client, video_page).status_code == 302

    french = VideoPage.objects.get(pk=french.pk)
    assert french.video_id == new_video.pk
    assert str(french.recorded_on) == "2025-06-03"
    assert shots_of(french) == [
        (0, 1_000, "Arrivée des ministres.", None),
        (1_000, 3_000, "Déclaration liminaire.", speaker_id),
    ]


# --------------------------------------------------------------------------- #
# Snippets: people and topics
# --------------------------------------------------------------------------- #


def snippet_edit_url(instance):
    return reverse(f"wagtailsnippets_taxonomy_{instance._meta.model_name}:edit", args=[instance.pk])


def submit_snippet_translation(client, instance, locale):
    url = reverse(
        "wagtail_localize:submit_snippet_translation",
        args=[instance._meta.app_label, instance._meta.model_name, instance.pk],
    )
    return client.post(url, {"locales": [locale.pk]})


@pytest.mark.django_db
def test_a_person_translation_keeps_the_name_and_translates_the_role(editor_client, publishing, locales):
    person = make_person(locales.en, name="Jane Doe", role="Secretary General")
    with publishing():
        response = submit_snippet_translation(editor_client, person, locales.fr)
    french = person.get_translation(locales.fr)
    assert response["Location"] == snippet_edit_url(french)

    props = editor_props(editor_client, snippet_edit_url(french))
    # The name is synchronized (and not overridable): only the role is offered.
    assert [segment["source"] for segment in props["segments"]] == ["Secretary General"]
    translate_segments(editor_client, props, {"Secretary General": "Secrétaire générale"})
    with publishing():
        editor_client.post(snippet_edit_url(french), {"action": "publish"})
    french.refresh_from_db()
    assert (french.name, french.role) == ("Jane Doe", "Secrétaire générale")

    # A corrected name reaches the French person on sync; the translated role stays.
    person.name = "Jane A. Doe"
    person.save()
    with publishing():
        assert sync_translations(editor_client, person).status_code == 302
    french.refresh_from_db()
    assert (french.name, french.role) == ("Jane A. Doe", "Secrétaire générale")
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_a_topic_translation_translates_its_name_and_slug(editor_client, publishing, locales):
    topic = make_topic(locales.en, name="Defence capabilities", slug="defence-capabilities")
    with publishing():
        submit_snippet_translation(editor_client, topic, locales.fr)
    french = topic.get_translation(locales.fr)

    props = editor_props(editor_client, snippet_edit_url(french))
    assert [segment["source"] for segment in props["segments"]] == ["Defence capabilities", "defence-capabilities"]
    translate_segments(
        editor_client,
        props,
        {"Defence capabilities": "Capacités de défense", "defence-capabilities": "capacites-de-defense"},
    )
    with publishing():
        editor_client.post(snippet_edit_url(french), {"action": "publish"})

    french.refresh_from_db()
    assert (french.name, french.slug, french.locale) == ("Capacités de défense", "capacites-de-defense", locales.fr)
    assert french.translation_key == topic.translation_key
    topic.refresh_from_db()
    assert (topic.name, topic.slug) == ("Defence capabilities", "defence-capabilities")
    assert Topic.objects.count() == 2
