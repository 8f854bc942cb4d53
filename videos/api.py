"""Videos in the API: the asset's facts, poster, preview proxy, shot list and captions.

The `download` field of video pages is the downloads app's (`downloads/offer.py`).
"""

from collections import defaultdict
from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import Field

from cms import api_schemas
from cms.caching import depends_on
from cms.content_types import APIField, PageTypeAPI, attribute
from taxonomy.api import PEOPLE, RELATED_PAGES, TOPICS

from .models import VideoCaptionTrack, VideoIndexPage, VideoPage, VideoShot
from .timecode import format_timecode


class VideoAsset(Schema):
    """Technical facts of the master, probed from the file itself."""

    id: int
    state: Literal["uploading", "processing", "ready", "failed"] = Field(
        description="Ingest of the master: only a `ready` video has its facts, poster and proxy."
    )
    progress: int = Field(description="Percent of the ingest done while `processing`.")
    failure_reason: str = Field(description="Why the ingest failed, in the request's language; empty otherwise.")
    duration: float = Field(description="Seconds.")
    width: int
    height: int
    frame_rate: float
    frame_rate_exact: str = Field(description='Exact rate, e.g. "25/1" or "30000/1001".')
    container: str
    video_codec: str
    video_profile: str
    audio_codec: str
    audio_channels: int | None
    size: int = Field(description="Size of the master in bytes.")
    all_intra: bool = Field(description="Every frame is a keyframe: clips can be cut on any frame.")
    keyframe_interval: float = Field(description="Longest interval between keyframes, in seconds.")
    proxy_url: str | None = Field(description="Low-resolution H.264 MP4 for in-browser preview.")


class Shot(Schema):
    number: int = Field(description="Position in the shot list, from 1.")
    id: int
    in_point: str = Field(description="HH:MM:SS.mmm")
    out_point: str = Field(description="HH:MM:SS.mmm")
    in_ms: int
    out_ms: int
    description: str
    speaker: api_schemas.Person | None


class CaptionTrack(Schema):
    locale: str
    url: str = Field(description="WebVTT file.")


def _video(page, context):
    video = page.video
    depends_on(f"video:{video.pk}")  # the ingest or a new master changes what this shows (videos/apps.py)
    return {
        "id": video.pk,
        "state": video.state,
        "progress": video.progress,
        "failure_reason": video.failure_reason,
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        "frame_rate": video.frame_rate,
        "frame_rate_exact": video.frame_rate_exact,
        "container": video.container,
        "video_codec": video.video_codec,
        "video_profile": video.video_profile,
        "audio_codec": video.audio_codec,
        "audio_channels": video.audio_channels,
        "size": video.file_size,
        "all_intra": video.all_intra,
        "keyframe_interval": video.keyframe_interval,
        "proxy_url": context.absolute(video.proxy.url) if video.proxy else None,
    }


def _poster_collect(page, context):
    image_id = page.poster_override_id or page.video.poster_id
    if image_id:
        context.image_ids.add(image_id)


def _load_shots(pages, context):
    context.shots = defaultdict(list)
    if context.preview:  # a previewed draft carries its shots in memory, unsaved
        shots = [shot for page in pages for shot in page.shots.all()]
        for page in pages:
            context.shots[page.pk] = list(page.shots.all())
    else:
        shots = VideoShot.objects.filter(page_id__in=[page.pk for page in pages]).order_by(
            "page_id", "sort_order", "pk"
        )
        for shot in shots:
            context.shots[shot.page_id].append(shot)
    context.person_ids.update(shot.speaker_id for shot in shots if shot.speaker_id)


def _shots(page, context):
    return [
        {
            "number": number,
            "id": shot.pk,
            "in_point": format_timecode(shot.in_point),
            "out_point": format_timecode(shot.out_point),
            "in_ms": shot.in_point,
            "out_ms": shot.out_point,
            "description": shot.description,
            "speaker": context.person(shot.speaker_id, page.locale_id),
        }
        for number, shot in enumerate(context.shots[page.pk], start=1)
    ]


def _load_captions(pages, context):
    context.captions = defaultdict(list)
    if context.preview:
        for page in pages:
            context.captions[page.pk] = list(page.caption_tracks.all())
        return
    tracks = VideoCaptionTrack.objects.filter(page_id__in=[page.pk for page in pages]).select_related("document")
    for track in tracks.order_by("page_id", "sort_order", "pk"):
        context.captions[track.page_id].append(track)


def _captions(page, context):
    return [
        {"locale": context.languages.get(track.locale_id, ""), "url": context.absolute(track.document.url)}
        for track in context.captions[page.pk]
    ]


VIDEO = PageTypeAPI(
    VideoPage,
    date_field="recorded_on",
    fields=[
        attribute("recorded_on", date | None, in_summary=True),
        attribute("place", str, in_summary=True),
        attribute("summary", str, in_summary=True),
        APIField(
            "poster",
            api_schemas.Image,
            lambda page, context: context.image(page.poster_override_id or page.video.poster_id),
            collect=_poster_collect,
            in_summary=True,
            select_related=("video",),
        ),
        APIField("video", VideoAsset, _video, in_summary=True, select_related=("video",)),
        TOPICS,
        PEOPLE,
        APIField("shots", list[Shot], _shots, prefetch=_load_shots, description="The shot list, in order."),
        attribute("transcript", str),
        APIField("captions", list[CaptionTrack], _captions, prefetch=_load_captions),
        attribute("credits", str),
        attribute("copyright", str),
        attribute("usage_restrictions", str),
        RELATED_PAGES,
    ],
)

VIDEO_INDEX = PageTypeAPI(VideoIndexPage, fields=[attribute("intro", str, in_summary=True)])

page_types = [VIDEO_INDEX, VIDEO]
