"""Shot lists and caption tracks: the rules, the timecodes, and the clear errors editors get.

Unit tests of `videos.shots`, `videos.timecode` and `videos.webvtt`, then the
same mistakes made through the real VideoPage admin form (nothing saved, the
message next to the right field) and through model validation.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from tests.helpers import make_document, make_superuser
from videos.models import VideoPage, VideoShot
from videos.shots import ShotProblem, validate_shot_list
from videos.timecode import TimecodeFormField, format_timecode, parse_timecode
from videos.webvtt import validate_webvtt_text

TEN_SECONDS = 10_000
TIMECODE_HELP = "Enter a timecode as HH:MM:SS.mmm (for example 00:01:02.500) or in seconds."

# --------------------------------------------------------------------------- #
# validate_shot_list
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "shots",
    [
        pytest.param([(0, 1_000), (1_000, 5_000)], id="inside-and-touching"),
        pytest.param([(0, TEN_SECONDS)], id="the-whole-video"),
        pytest.param([(9_000, TEN_SECONDS)], id="ends-exactly-at-the-end"),
        pytest.param([(0, 1_000), (5_000, 6_000)], id="gaps-allowed"),
        pytest.param([(5_000, 6_000), (0, 1_000), (1_000, 2_000)], id="unordered-input"),
        pytest.param([], id="no-shots"),
        pytest.param([(None, 1_000), (500, None)], id="missing-values-left-to-the-form"),
    ],
)
def test_valid_shot_lists_have_no_problems(shots):
    assert validate_shot_list(TEN_SECONDS, shots) == []


@pytest.mark.parametrize(
    ("shot", "message"),
    [
        pytest.param((5_000, 1_000), "the out point must come after the in point.", id="reversed"),
        pytest.param((2_000, 2_000), "the out point must come after the in point.", id="zero-length"),
        pytest.param(
            (9_000, 10_001),
            "the out point 00:00:10.001 is after the end of the video (00:00:10.000).",
            id="past-the-end",
        ),
        pytest.param(
            (12_000, 15_000),
            "the out point 00:00:15.000 is after the end of the video (00:00:10.000).",
            id="entirely-outside",
        ),
    ],
)
def test_a_bad_shot_is_reported_on_its_out_point(shot, message):
    assert validate_shot_list(TEN_SECONDS, [(0, 1_000), shot]) == [ShotProblem(1, "out_point", message)]


def test_an_overlapping_shot_is_reported_on_its_in_point():
    problems = validate_shot_list(TEN_SECONDS, [(0, 3_000), (2_000, 4_000)])
    assert problems == [
        ShotProblem(
            1,
            "in_point",
            "this shot overlaps shot 1 (it starts at 00:00:02.000, before that one ends at 00:00:03.000).",
        )
    ]
    assert problems[0].describe() == (
        "Shot 2: this shot overlaps shot 1 (it starts at 00:00:02.000, before that one ends at 00:00:03.000)."
    )


def test_overlaps_are_found_whatever_the_order_of_the_list():
    # Listed later but starting first: the shot listed first is the one that overlaps.
    problems = validate_shot_list(TEN_SECONDS, [(4_000, 6_000), (0, 5_000)])
    assert [(problem.index, problem.field) for problem in problems] == [(0, "in_point")]
    assert "overlaps shot 2" in problems[0].message


def test_every_shot_inside_a_long_shot_overlaps_it():
    # Shot 3 does not overlap its neighbour in time (shot 2) but lies inside shot 1.
    problems = validate_shot_list(TEN_SECONDS, [(0, 9_000), (1_000, 2_000), (4_000, 5_000)])
    assert [(problem.index, problem.field) for problem in problems] == [(1, "in_point"), (2, "in_point")]
    assert all("overlaps shot 1" in problem.message for problem in problems)


def test_every_problem_is_reported_in_list_order():
    problems = validate_shot_list(TEN_SECONDS, [(0, 3_000), (8_000, 12_000), (2_000, 2_500), (4_000, 3_000)])
    assert [(problem.index, problem.field) for problem in problems] == [
        (1, "out_point"),
        (2, "in_point"),
        (3, "out_point"),
    ]


# --------------------------------------------------------------------------- #
# Timecodes
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("text", "milliseconds"),
    [
        ("00:01:02.500", 62_500),
        ("01:02.500", 62_500),
        ("01:02.5", 62_500),
        ("1:02:03.004", 3_723_004),
        ("100:00:00.000", 360_000_000),
        ("00:00:01,250", 1_250),  # the decimal comma of SRT and French keyboards
        ("02.5", 2_500),
        ("62.5", 62_500),  # plain seconds may exceed 59
        ("3.05", 3_050),
        ("90", 90_000),
        ("0", 0),
        ("  00:00:03.000 ", 3_000),
    ],
)
def test_parse_timecode_accepts(text, milliseconds):
    assert parse_timecode(text) == milliseconds


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "00:60:00",
        "00:00:60.000",
        "1:2:3:4",
        "-1",
        "00:00:01.5000",
        "1e3",
        "12:",
        ":30",
        "00:01:02.",
        "1.2.3",
    ],
)
def test_parse_timecode_rejects_with_a_clear_message(text):
    with pytest.raises(ValueError, match=re.escape(TIMECODE_HELP)):
        parse_timecode(text)


@pytest.mark.parametrize(
    ("milliseconds", "text"),
    [(0, "00:00:00.000"), (62_500, "00:01:02.500"), (3_600_001, "01:00:00.001"), (360_000_000, "100:00:00.000")],
)
def test_format_timecode(milliseconds, text):
    assert format_timecode(milliseconds) == text
    assert parse_timecode(text) == milliseconds


def test_timecode_form_field_turns_bad_text_into_a_validation_error():
    field = TimecodeFormField(required=False)
    assert field.clean("00:00:01.500") == 1_500
    assert field.clean("") is None
    with pytest.raises(ValidationError) as info:
        field.clean("one minute")
    assert info.value.messages == [TIMECODE_HELP]
    assert info.value.code == "invalid_timecode"


# --------------------------------------------------------------------------- #
# WebVTT
# --------------------------------------------------------------------------- #

GOOD_VTT = """WEBVTT

00:00:00.000 --> 00:00:01.500
Good evening.

00:01.500 --> 00:03.000
The summit opened today.
"""


def test_a_proper_webvtt_file_is_accepted_and_its_cues_counted():
    assert validate_webvtt_text(GOOD_VTT) == 2
    assert validate_webvtt_text("\ufeff" + GOOD_VTT) == 2  # a byte-order mark is allowed


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        pytest.param(
            GOOD_VTT.replace("WEBVTT\n", ""),
            "not_webvtt",
            "This is not a WebVTT file: it must start with “WEBVTT”.",
            id="no-header",
        ),
        pytest.param("WEBVTT\n\n", "empty", "This WebVTT file has no captions.", id="no-cues"),
        pytest.param(
            "WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nBackwards.\n",
            "reversed_cue",
            "Caption 1 ends before it starts (00:00:02.000 --> 00:00:01.000).",
            id="reversed-cue",
        ),
        pytest.param(
            GOOD_VTT + "\n00:00:03 --> 00:00:04.000\nNo milliseconds.\n",
            "malformed_cue",
            "Some cue timings in this WebVTT file are malformed.",
            id="malformed-cue-line",
        ),
    ],
)
def test_a_bad_webvtt_file_is_refused(text, code, message):
    with pytest.raises(ValidationError) as info:
        validate_webvtt_text(text)
    assert info.value.code == code
    assert info.value.messages == [message]


# --------------------------------------------------------------------------- #
# Through the VideoPage admin form
# --------------------------------------------------------------------------- #


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(make_superuser(django_user_model))
    return client


@pytest.fixture
def video_page(site_tree, make_video):
    page = VideoPage(title="Summit press conference", slug="press-conference", video=make_video())
    site_tree.videos.add_child(instance=page)
    page.save_revision().publish()
    return page


def page_form_data(page, shots=(), caption_tracks=(), publish=False):
    """The VideoPage edit form as the admin posts it, with new shots and caption tracks (a draft unless `publish`)."""
    return nested_form_data(
        {
            **({"action-publish": "action-publish"} if publish else {}),
            "title": page.title,
            "slug": page.slug,
            "video": page.video_id,
            "recorded_on": "2025-06-02",
            "place": "Brussels",
            "summary": "The opening press conference.",
            "transcript": "",
            "credits": "",
            "copyright": "",
            "usage_restrictions": "",
            "poster_override": "",
            "shots": inline_formset(list(shots)),
            "caption_tracks": inline_formset(list(caption_tracks)),
            "person_links": inline_formset([]),
            "topic_links": inline_formset([]),
            "related_links": inline_formset([]),
            "comments": inline_formset([]),
        }
    )


def shot(in_point, out_point, description="A shot"):
    return {"in_point": in_point, "out_point": out_point, "description": description, "speaker": ""}


def post_edit(client, page, data):
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def form_errors(response, relation):
    assert response.status_code == 200, "the form should have been refused"
    return [dict(form.errors) for form in response.context["form"].formsets[relation].forms]


@pytest.mark.django_db
def test_a_good_shot_list_saves(editor_client, video_page):
    end = format_timecode(video_page.video.duration_ms)
    revisions = video_page.revisions.count()

    response = post_edit(
        editor_client,
        video_page,
        page_form_data(
            video_page, shots=[shot("00:00:02.000", end, "Questions"), shot("0", "2", "Arrival")], publish=True
        ),
    )

    assert response.status_code == 302
    assert video_page.revisions.count() == revisions + 1
    video_page.refresh_from_db()
    saved = [(s.in_point, s.out_point, s.description) for s in video_page.shots.order_by("sort_order")]
    assert saved == [(2_000, video_page.video.duration_ms, "Questions"), (0, 2_000, "Arrival")]
    assert {s.locale_id for s in video_page.shots.all()} == {video_page.locale_id}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shots", "expected_errors"),
    [
        pytest.param(
            [shot("00:00:01.000", "00:01:00.000")],
            [{"out_point": ["the out point 00:01:00.000 is after the end of the video ({end})."]}],
            id="past-the-end",
        ),
        pytest.param(
            [shot("00:00:02.000", "00:00:01.000")],
            [{"out_point": ["the out point must come after the in point."]}],
            id="out-before-in",
        ),
        pytest.param(
            [shot("00:00:01.000", "00:00:01.000")],
            [{"out_point": ["the out point must come after the in point."]}],
            id="zero-length",
        ),
        pytest.param(
            [shot("0", "2"), shot("1.5", "3")],
            [
                {},
                {
                    "in_point": [
                        "this shot overlaps shot 1 (it starts at 00:00:01.500, before that one ends at 00:00:02.000)."
                    ]
                },
            ],
            id="overlapping",
        ),
        pytest.param(
            [shot("00:00:0x.000", "00:00:01.000")],
            [{"in_point": [TIMECODE_HELP]}],
            id="malformed-timecode",
        ),
    ],
)
def test_a_bad_shot_list_is_refused_next_to_the_shot(editor_client, video_page, shots, expected_errors):
    end = format_timecode(video_page.video.duration_ms)
    revisions = video_page.revisions.count()

    response = post_edit(editor_client, video_page, page_form_data(video_page, shots=shots))

    expected = [
        {field: [message.format(end=end) for message in messages] for field, messages in errors.items()}
        for errors in expected_errors
    ]
    assert form_errors(response, "shots") == expected
    assert video_page.revisions.count() == revisions
    assert not VideoShot.objects.filter(page=video_page).exists()


@pytest.mark.django_db
def test_a_caption_track_that_is_not_a_vtt_file_is_refused(editor_client, video_page, locales):
    not_vtt = make_document(GOOD_VTT, name="captions.txt")
    response = post_edit(
        editor_client,
        video_page,
        page_form_data(video_page, caption_tracks=[{"locale": locales.en.pk, "document": not_vtt.pk}]),
    )
    assert form_errors(response, "caption_tracks") == [{"document": ["Choose a .vtt caption file."]}]
    assert not video_page.caption_tracks.exists()


@pytest.mark.django_db
def test_a_caption_track_with_broken_webvtt_is_refused(editor_client, video_page, locales):
    broken = make_document("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nBackwards.\n")
    response = post_edit(
        editor_client,
        video_page,
        page_form_data(video_page, caption_tracks=[{"locale": locales.en.pk, "document": broken.pk}]),
    )
    assert form_errors(response, "caption_tracks") == [
        {"document": ["Caption 1 ends before it starts (00:00:02.000 --> 00:00:01.000)."]}
    ]
    assert not video_page.caption_tracks.exists()


@pytest.mark.django_db
def test_two_caption_tracks_in_one_language_are_refused(editor_client, video_page, locales):
    first, second = make_document(GOOD_VTT, name="en1.vtt"), make_document(GOOD_VTT, name="en2.vtt")
    response = post_edit(
        editor_client,
        video_page,
        page_form_data(
            video_page,
            caption_tracks=[
                {"locale": locales.en.pk, "document": first.pk},
                {"locale": locales.en.pk, "document": second.pk},
            ],
        ),
    )
    assert form_errors(response, "caption_tracks") == [
        {},
        {"locale": ["There is already a caption track in this language."]},
    ]
    assert not video_page.caption_tracks.exists()


@pytest.mark.django_db
def test_caption_tracks_in_two_languages_save(editor_client, video_page, locales):
    english, french = make_document(GOOD_VTT, name="en.vtt"), make_document(GOOD_VTT, name="fr.vtt")
    response = post_edit(
        editor_client,
        video_page,
        page_form_data(
            video_page,
            caption_tracks=[
                {"locale": locales.en.pk, "document": english.pk},
                {"locale": locales.fr.pk, "document": french.pk},
            ],
            publish=True,
        ),
    )
    assert response.status_code == 302
    tracks = video_page.caption_tracks.order_by("sort_order")
    assert [(track.locale, track.document) for track in tracks] == [(locales.en, english), (locales.fr, french)]


# --------------------------------------------------------------------------- #
# Model validation, for pages built in code
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_full_clean_refuses_a_video_page_built_in_code_with_bad_shots(video_page, locales):
    video_page.shots = [
        VideoShot(in_point=0, out_point=2_000, description="Arrival", locale=locales.en),
        VideoShot(in_point=1_000, out_point=1_500, description="Handshake", locale=locales.en),
        VideoShot(in_point=3_000, out_point=2_500, description="Backwards", locale=locales.en),
    ]
    with pytest.raises(ValidationError) as info:
        video_page.full_clean()
    assert info.value.messages == [
        "Shot 2: this shot overlaps shot 1 (it starts at 00:00:01.000, before that one ends at 00:00:02.000).",
        "Shot 3: the out point must come after the in point.",
    ]


@pytest.mark.django_db
def test_a_video_page_with_a_shot_past_the_end_cannot_be_created_in_code(site_tree, make_video, locales):
    video = make_video()
    page = VideoPage(title="Too long", slug="too-long", video=video)
    page.shots = [VideoShot(in_point=0, out_point=video.duration_ms + 1, description="Too far", locale=locales.en)]

    with pytest.raises(ValidationError, match=r"Shot 1: the out point \S+ is after the end of the video"):
        site_tree.videos.add_child(instance=page)
    assert not VideoPage.objects.filter(slug="too-long").exists()


@pytest.mark.django_db
def test_full_clean_accepts_good_shots(video_page, locales):
    video_page.shots = [
        VideoShot(in_point=0, out_point=1_000, description="Arrival", locale=locales.en),
        VideoShot(in_point=1_000, out_point=video_page.video.duration_ms, description="Statement", locale=locales.en),
    ]
    video_page.full_clean()


@pytest.mark.django_db
def test_shots_built_in_code_keep_their_list_order_in_every_language(site_tree, make_video, locales):
    """Rows without a sort order come back in no fixed order: saving numbers them, and translations copy it."""
    video = make_video()
    page = VideoPage(title="Ordered", slug="ordered", video=video)
    descriptions = ["Arrival", "Handshake", "Statement", "Questions"]
    page.shots = [
        VideoShot(in_point=n * 500, out_point=n * 500 + 400, description=text, locale=locales.en)
        for n, text in enumerate(descriptions)
    ]
    site_tree.videos.add_child(instance=page)
    page.save_revision().publish()
    site_tree.videos.copy_for_translation(locales.fr).save_revision().publish()
    french = page.copy_for_translation(locales.fr)
    french.save()

    for saved in (page, french):
        shots = list(VideoShot.objects.filter(page=saved).order_by("sort_order", "pk"))
        assert [shot.sort_order for shot in shots] == [0, 1, 2, 3]
        assert [shot.description for shot in shots] == descriptions
