"""Every app's French catalogue is complete, compiled, current, and really used.

The rule of the project: every string a reader or an editor sees exists in
English and in French. Each app keeps its own catalogue in
`<app>/locale/fr/LC_MESSAGES/django.po`, compiled to the `django.mo` beside
it (committed, since gettext may not be installed where the project runs).

When a test here fails because a string is new or changed, refresh the
catalogue of that app, translate, and compile::

    cd <app> && ../.venv/bin/python ../manage.py makemessages -l fr --no-location --no-obsolete
    # translate the new entries in locale/fr/LC_MESSAGES/django.po (no "#, fuzzy" left)
    ../.venv/bin/python ../manage.py compilemessages -l fr
"""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.template import templatize

from cms.models import FrontEnd, FrontEndAPIKey
from cms.webhooks import WebhookDelivery
from home.models import HomePage
from interviews.models import InterviewPage
from news.models import NewsArticlePage
from taxonomy.models import PagePerson, Topic
from videos import media
from videos.forms import VideoForm
from videos.models import Video, VideoCaptionTrack, VideoShot
from videos.shots import validate_shot_list
from videos.timecode import parse_timecode
from videos.webvtt import validate_webvtt_text

ROOT = Path(__file__).resolve().parent.parent
# `accounts` keeps its own catalogue on its own schedule: checked once it exists.
APPS = ["cms", "taxonomy", "home", "news", "interviews", "videos", "downloads", "search", "accounts"]
OPTIONAL_APPS = {"accounts"}

# The keywords `makemessages` gives xgettext for Python and templatized templates.
XGETTEXT_ARGS = [
    "--language=Python",
    "--from-code=UTF-8",
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=npgettext_lazy:1c,2,3",
    "--keyword=_",
    "--keyword=gettext",
    "--keyword=ngettext:1,2",
    "--no-location",
]
TEMPLATE_SUFFIXES = {".html", ".txt"}  # what makemessages reads as templates

REFRESH_HINT = (
    "Run `cd {app} && ../.venv/bin/python ../manage.py makemessages -l fr --no-location --no-obsolete`, "
    "translate the new entries, then `../.venv/bin/python ../manage.py compilemessages -l fr`."
)

_NAMED = re.compile(r"%\(\w+\)[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]")
_POSITIONAL = re.compile(r"%[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]")
_BRACE = re.compile(r"\{\w*(?:![rsa])?(?::[^{}]*)?\}")


def po_path(app: str) -> Path:
    return ROOT / app / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def load_catalogue(app: str) -> polib.POFile:
    path = po_path(app)
    if not path.exists():
        if app in OPTIONAL_APPS:
            pytest.skip(f"{app} has no French catalogue yet ({path.relative_to(ROOT)})")
        pytest.fail(f"{path.relative_to(ROOT)} is missing. " + REFRESH_HINT.format(app=app))
    return polib.pofile(str(path))


def existing_apps() -> list[str]:
    return [app for app in APPS if po_path(app).exists() or app not in OPTIONAL_APPS]


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def placeholders(text: str, flags: list[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The format placeholders of a msgid or msgstr.

    Named ones (`%(name)s`, `{name}`) may come in any order and repeat;
    positional ones (`%s`, `%d`, in python-format strings only) must match in
    number and order.
    """
    text = text.replace("%%", "")
    named = set(_NAMED.findall(text))
    text = _NAMED.sub("", text)
    named.update(_BRACE.findall(text))
    positional = tuple(_POSITIONAL.findall(text)) if "python-format" in flags else ()
    return frozenset(named), positional


def entry_key(entry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def entry_translation(entry):
    if entry.msgid_plural:
        return tuple(sorted((int(index), text) for index, text in entry.msgstr_plural.items()))
    return entry.msgstr


# --------------------------------------------------------------------------- #
# The catalogues themselves
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("app", APPS)
def test_catalogue_header_is_french_utf8_with_french_plurals(app):
    po = load_catalogue(app)

    assert not po.metadata_is_fuzzy, f"{app}: the header is marked fuzzy"
    assert po.metadata.get("Language") == "fr"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=2;plural=(n>1);"


@pytest.mark.parametrize("app", APPS)
def test_every_entry_is_translated_and_none_is_fuzzy(app):
    po = load_catalogue(app)

    fuzzy = [entry.msgid for entry in live_entries(po) if "fuzzy" in entry.flags]
    untranslated = [entry.msgid for entry in live_entries(po) if not entry.translated() and "fuzzy" not in entry.flags]

    assert fuzzy == [], f"{app}: fuzzy entries are ignored by Django; check and unmark them: {fuzzy}"
    assert untranslated == [], f"{app}: untranslated entries: {untranslated}"


@pytest.mark.parametrize("app", APPS)
def test_every_translation_keeps_the_placeholders_of_its_msgid(app):
    po = load_catalogue(app)

    problems = []
    for entry in live_entries(po):
        if entry.msgid_plural:
            forms = sorted(entry.msgstr_plural.items())
            assert len(forms) == 2, f"{app}: {entry.msgid!r} needs msgstr[0] and msgstr[1]"
            expected = {0: entry.msgid, 1: entry.msgid_plural}
            pairs = [(expected[min(int(index), 1)], text) for index, text in forms]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            wanted, got = placeholders(source, entry.flags), placeholders(translated, entry.flags)
            if wanted != got:
                problems.append(f"{source!r} -> {translated!r}: expected {wanted}, found {got}")

    assert problems == [], f"{app}: " + "\n".join(problems)


@pytest.mark.parametrize("app", APPS)
def test_compiled_catalogue_is_up_to_date(app):
    po = load_catalogue(app)
    mo_path = po_path(app).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(ROOT)} is missing: run compilemessages -l fr in {app}/"

    mo = polib.mofile(str(mo_path))
    compiled = {entry_key(entry): entry_translation(entry) for entry in mo if entry.msgid}
    expected = {entry_key(entry): entry_translation(entry) for entry in po.translated_entries()}

    stale = sorted(str(key[1]) for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key))
    assert stale == [], (
        f"{app}: django.mo does not match django.po for {stale}; "
        f"run `cd {app} && ../.venv/bin/python ../manage.py compilemessages -l fr`."
    )


def test_a_msgid_shared_by_several_apps_has_the_same_french_in_each():
    """Django merges the catalogues by msgid and keeps one translation: they must agree."""
    translations: dict[tuple, dict[str, object]] = {}
    for app in existing_apps():
        for entry in load_catalogue(app).translated_entries():
            translations.setdefault(entry_key(entry), {})[app] = entry_translation(entry)

    conflicts = {key[1]: by_app for key, by_app in translations.items() if len(set(by_app.values())) > 1}
    assert conflicts == {}


def source_msgids(app: str, workdir: Path) -> set[tuple[str | None, str]]:
    """What `makemessages` would extract from the app: its Python files and its templatized templates."""
    app_dir = ROOT / app
    sources = []
    for path in sorted(app_dir.rglob("*")):
        relative = path.relative_to(app_dir)
        skipped = any(part in ("locale", "__pycache__") or part.startswith(".") for part in relative.parts)
        if skipped or not path.is_file():
            continue
        if path.suffix == ".py":
            sources.append(path)
        elif path.suffix in TEMPLATE_SUFFIXES:
            templatized = workdir / f"{relative}.py"
            templatized.parent.mkdir(parents=True, exist_ok=True)
            templatized.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(relative)), encoding="utf-8")
            sources.append(templatized)

    output = workdir / "extracted.pot"
    result = subprocess.run(
        [shutil.which("xgettext"), *XGETTEXT_ARGS, "-o", str(output), *map(str, sources)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    if not output.exists():  # xgettext writes nothing when it finds nothing
        return set()
    return {entry_key(entry) for entry in polib.pofile(str(output)) if entry.msgid}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
@pytest.mark.parametrize("app", APPS)
def test_catalogue_covers_every_translatable_string_of_the_app(app, tmp_path):
    po = load_catalogue(app)
    in_catalogue = {entry_key(entry) for entry in live_entries(po)}

    missing = sorted(msgid for msgctxt, msgid in source_msgids(app, tmp_path) - in_catalogue)

    assert missing == [], (
        f"{app}: {len(missing)} string(s) marked for translation in the code have no French entry: "
        f"{missing}. " + REFRESH_HINT.format(app=app)
    )


# --------------------------------------------------------------------------- #
# Django really serves them in French
# --------------------------------------------------------------------------- #


@pytest.fixture
def french():
    with translation.override("fr"):
        yield


def french_of(lazy_or_text) -> str:
    with translation.override("fr"):
        return str(lazy_or_text)


@pytest.mark.parametrize(
    ("lazy", "expected"),
    [
        # cms
        (apps.get_app_config("cms").verbose_name, "Front-ends et API"),
        (FrontEnd._meta.verbose_name, "front-end"),
        (FrontEndAPIKey._meta.verbose_name, "Clé d'API"),
        (WebhookDelivery._meta.verbose_name_plural, "livraisons de webhook"),
        (WebhookDelivery.Status.FAILED.label, "En échec"),
        # taxonomy
        (Topic._meta.verbose_name, "thème"),
        (PagePerson.Role.INTERVIEWEE.label, "Interviewé"),
        # home
        (apps.get_app_config("home").verbose_name, "Accueil"),
        (HomePage._meta.verbose_name, "page d'accueil"),
        # news
        (NewsArticlePage._meta.verbose_name, "article d'actualité"),
        (NewsArticlePage._meta.get_field("standfirst").verbose_name, "chapeau"),
        (NewsArticlePage._meta.get_field("dateline").verbose_name, "provenance"),
        (NewsArticlePage._meta.get_field("lead_image").verbose_name, "image principale"),
        # interviews
        (InterviewPage._meta.verbose_name, "entretien"),
        (InterviewPage._meta.get_field("standfirst").verbose_name, "chapeau"),
        # videos
        (apps.get_app_config("videos").verbose_name, "Vidéos"),
        (Video._meta.get_field("file").verbose_name, "fichier maître"),
        (Video._meta.get_field("poster").verbose_name, "image d'affiche"),
        (Video._meta.get_field("proxy").verbose_name, "version de prévisualisation (proxy)"),
        (Video._meta.get_field("keyframe_count").verbose_name, "images clés"),
        (VideoShot._meta.get_field("in_point").verbose_name, "point d'entrée"),
        (VideoShot._meta.get_field("out_point").verbose_name, "point de sortie"),
        (VideoCaptionTrack._meta.verbose_name, "piste de sous-titres"),
    ],
    ids=lambda value: str(value) if isinstance(value, str) else None,
)
def test_names_editors_read_are_french_in_the_french_admin(lazy, expected):
    assert french_of(lazy) == expected


@pytest.mark.parametrize(
    ("english", "french_text"),
    [
        ("front end", "front-end"),
        ("API key", "Clé d'API"),
        ("Shot list", "Liste des plans"),
        ("Caption track", "Piste de sous-titres"),
        ("People featured", "Personnes à l'image"),
        ("Editorial note", "Note de la rédaction"),
    ],
)
def test_panel_headings_and_labels_are_french(french, english, french_text):
    assert gettext(english) == french_text


def test_language_names_of_the_settings_are_french():
    languages = {code: french_of(name) for code, name in settings.LANGUAGES}
    assert languages["en"] == "Anglais"
    assert languages["fr"] == "Français"


def test_video_upload_errors_are_french(french):
    for code, message in media.NotAVideo.DEFAULT_MESSAGES.items():
        with translation.override("en"):
            english = str(message)
        assert str(media.NotAVideo(code)) != english, code
    assert str(media.NotAVideo(media.NotAVideo.NO_VIDEO_STREAM)) == "Ce fichier ne contient pas de piste vidéo."
    assert str(media.probing._TRUNCATED).startswith("Ce fichier vidéo est incomplet ou endommagé.")


class VideoUploadForm(VideoForm):
    class Meta:
        model = Video
        fields = ["title", "file"]


@override_settings(VIDEOS_MAX_UPLOAD_SIZE=10)
def test_video_form_errors_are_french(french):
    form = VideoUploadForm()

    form.cleaned_data = {"file": SimpleUploadedFile("master.mp4", b"x" * 11)}
    with pytest.raises(ValidationError) as too_large:
        form.clean_file()
    assert too_large.value.messages[0].startswith("Ce fichier fait ")
    assert "les vidéos sont limitées à 10" in too_large.value.messages[0]

    form.cleaned_data = {"file": SimpleUploadedFile("master.mp4", b"")}
    with pytest.raises(ValidationError) as empty:
        form.clean_file()
    assert empty.value.messages == ["Ce fichier est vide."]

    assert gettext("There is already a caption track in this language.") == (
        "Il existe déjà une piste de sous-titres dans cette langue."
    )


def test_shot_list_problems_are_french(french):
    reversed_shot, beyond_end = validate_shot_list(10_000, [(5_000, 4_000), (1_000, 12_000)])
    (overlap,) = validate_shot_list(10_000, [(0, 5_000), (4_000, 6_000)])

    assert reversed_shot.message == "le point de sortie doit se situer après le point d'entrée."
    assert reversed_shot.describe() == "Plan 1\u00a0: le point de sortie doit se situer après le point d'entrée."
    assert beyond_end.message == "le point de sortie 00:00:12.000 se situe après la fin de la vidéo (00:00:10.000)."
    assert overlap.message.startswith("ce plan chevauche le plan 1 (il commence à 00:00:04.000")


def test_timecode_and_caption_file_errors_are_french(french):
    with pytest.raises(ValueError, match=r"^Saisissez un timecode au format HH:MM:SS\.mmm"):
        parse_timecode("soon")
    with pytest.raises(ValidationError) as not_webvtt:
        validate_webvtt_text("1\n00:00:01.000 --> 00:00:02.000\nHello\n")
    assert not_webvtt.value.messages == [
        "Ce n'est pas un fichier WebVTT\u00a0: il doit commencer par «\u00a0WEBVTT\u00a0»."
    ]


def test_featured_is_translated_by_what_it_means():
    """The same English word, two French ones: the home page's heading and a person's role in a page."""
    from home.models import HomePage
    from taxonomy.models import PagePerson

    heading = next(p for p in HomePage.content_panels if getattr(p, "relation_name", "") == "featured_items")
    with translation.override("fr"):
        assert str(heading.heading) == "À l'affiche"
        assert str(PagePerson.Role.FEATURED.label) == "Apparaît"
