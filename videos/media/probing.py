"""Probing: what an uploaded file holds, and refusing what is not a video we can ingest.

PyAV demuxes (never decodes, but for the first frame) so an hour-long master
is inspected at disk speed.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import asdict, dataclass
from fractions import Fraction

import av
from django.utils.translation import gettext_lazy as _

__all__ = ["VIDEO_CONTAINER_TOKENS", "MediaProbe", "NotAVideo", "probe"]


class NotAVideo(ValueError):
    """The file is not a video we can ingest.

    ``code`` is a stable machine string (for API responses, form errors and
    metrics); ``message`` is a lazily translated, user-facing sentence, ready
    for ``ValidationError(exc.message, code=exc.code)``.
    """

    UNREADABLE = "unreadable"
    NO_VIDEO_STREAM = "no_video_stream"
    NOT_A_VIDEO_CONTAINER = "not_a_video_container"
    NO_DURATION = "no_duration"
    UNDECODABLE = "undecodable"

    DEFAULT_MESSAGES = {
        UNREADABLE: _("This file is not a video we can read."),
        NO_VIDEO_STREAM: _("This file has no video track."),
        NOT_A_VIDEO_CONTAINER: _("This file type is not supported. Upload MP4, MOV, MXF, MKV, AVI or MPEG-TS video."),
        NO_DURATION: _("This file has no playable duration. Is it a still image?"),
        UNDECODABLE: _("The video in this file cannot be decoded."),
    }

    def __init__(self, code: str, message=None) -> None:
        self.code = code
        self.message = message if message is not None else self.DEFAULT_MESSAGES[code]
        super().__init__(self.message)

    def __str__(self) -> str:
        # Rendering a lazy message needs configured settings and, with i18n on,
        # a ready app registry. Logging this error from a bare script must not
        # blow up, so fall back to the machine code.
        from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured

        try:
            return str(self.message)
        except (ImproperlyConfigured, AppRegistryNotReady):
            return self.code


_EMPTY_FILE = _("The file is empty.")
_TRUNCATED = _("This video file is incomplete or damaged. Please upload it again.")

# Demuxers we accept, by the token(s) in ffmpeg's demuxer name. A whitelist
# rather than a blacklist because libavformat happily "opens" far more than
# video: still images (image2, png_pipe, jpeg_pipe, webp_pipe), animated GIFs,
# text (tty), raw elementary streams (h264, mpegvideo) without reliable
# timing. New ffmpeg releases add demuxers, and each would otherwise slip
# through silently. Matching tokens instead of the full comma-joined name keeps
# us stable if ffmpeg adds an alias to e.g. "mov,mp4,m4a,3gp,3g2,mj2".
VIDEO_CONTAINER_TOKENS = frozenset({"mov", "mp4", "matroska", "webm", "mxf", "avi", "mpegts", "mpeg"})

# Frames to feed the decoder while waiting for the first picture. Decoders
# legitimately buffer (B-frame reordering, frame threads, open-GOP streams
# that start on a non-keyframe), but a stream that yields nothing after this
# many packets is broken, and we must not decode an hour of it to find out.
_FIRST_FRAME_PACKET_BUDGET = 120


@dataclass(frozen=True, slots=True)
class MediaProbe:
    container: str  # ffmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    duration: float  # seconds
    width: int
    height: int
    frame_rate: float
    frame_rate_exact: str  # exact, e.g. "25/1" or "30000/1001"
    video_codec: str  # e.g. "h264", "prores", "dnxhd"
    video_profile: str | None  # e.g. "High", "Proxy", "DNXHR LB"
    pixel_format: str | None  # e.g. "yuv420p", "yuv422p10le"
    audio_codec: str | None  # None when there is no audio track
    audio_channels: int | None
    audio_sample_rate: int | None
    bit_rate: int | None  # overall, bits/s
    frame_count: int  # video packets actually demuxed
    keyframe_count: int
    all_intra: bool  # every frame is a keyframe (ProRes, DNxHD, intra H.264)
    keyframe_interval: float  # longest GOP in seconds; 0.0 when all-intra

    def as_dict(self) -> dict:
        return asdict(self)


def probe(path: str | os.PathLike[str]) -> MediaProbe:
    """Inspect a media file and return its technical metadata.

    Raises ``NotAVideo`` for any content we cannot ingest. A missing or
    unreadable *path* (``FileNotFoundError``, ``PermissionError``) is a server
    problem, not bad content, so it propagates unchanged.
    """
    path = os.fspath(path)
    if os.stat(path).st_size == 0:
        raise NotAVideo(NotAVideo.UNREADABLE, _EMPTY_FILE)
    try:
        # "replace": files from cameras and NLEs often carry non-UTF-8 tags,
        # which must not make an otherwise fine video unreadable.
        container = av.open(path, metadata_errors="replace")
    except Exception as exc:  # anything libavformat rejects is bad input
        raise NotAVideo(NotAVideo.UNREADABLE) from exc
    with container:
        try:
            return _probe_container(container)
        except NotAVideo:
            raise
        except Exception as exc:
            # Hostile or damaged input makes PyAV fail in many ways (FFmpegError
            # subclasses, but also AttributeError on half-initialised streams);
            # the contract is that bad input only ever surfaces as NotAVideo.
            raise NotAVideo(NotAVideo.UNREADABLE) from exc


def _probe_container(container) -> MediaProbe:
    # Cover art in audio files shows up as a one-frame "video" stream.
    video_streams = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    if not video_streams:
        raise NotAVideo(NotAVideo.NO_VIDEO_STREAM)
    vstream = video_streams[0]

    fmt = container.format.name
    if not VIDEO_CONTAINER_TOKENS.intersection(fmt.split(",")):
        raise NotAVideo(NotAVideo.NOT_A_VIDEO_CONTAINER)

    # Header duration only. Deliberately no fallback to the demuxed packet
    # span: HEIC/AVIF photos open with the mov demuxer and would then pass as
    # one-second videos.
    duration = None
    if container.duration and container.duration > 0:
        duration = container.duration / av.time_base
    elif vstream.duration and vstream.time_base:
        duration = float(vstream.duration * vstream.time_base)
    if not duration or duration <= 0 or not math.isfinite(duration):
        raise NotAVideo(NotAVideo.NO_DURATION)

    codec_context = vstream.codec_context
    if codec_context is None:  # no decoder for this codec in our libav build
        raise NotAVideo(NotAVideo.UNDECODABLE)

    # For indexed containers (MP4/MOV, MXF, AVI) the index says how many
    # packets exist. Reading fewer means the file was cut short: libavformat
    # just stops at EOF without an error when the cut falls on a packet
    # boundary, and the moov-at-front MP4s we produce still open fine after
    # truncation. Demuxers that index lazily or list keyframes only
    # (Matroska cues, MPEG-PS/TS) never report more entries than packets, so
    # the comparison cannot fire falsely there.
    indexed_packets = len(vstream.index_entries)

    tb = vstream.time_base
    frame_count = 0
    keyframe_ts: list[int] = []
    end_ts: int | None = None
    damaged = False
    first_frame = None
    decode_error: Exception | None = None
    fed = 0

    # Demux only, no decoding: packet flags give keyframes at disk speed, while
    # decoding an hour of 1080p would take minutes. Only the first frame gets
    # decoded, to prove the stream is actually playable.
    for packet in container.demux(vstream):
        if packet.size == 0:  # PyAV's end-of-stream flush packet
            continue
        frame_count += 1
        if packet.is_corrupt:  # libavformat flags short reads (truncated file)
            damaged = True
        ts = packet.pts if packet.pts is not None else packet.dts
        if ts is not None:
            if packet.is_keyframe:
                keyframe_ts.append(ts)
            end = ts + (packet.duration or 0)
            end_ts = end if end_ts is None else max(end_ts, end)
        elif packet.is_keyframe:
            keyframe_ts.append(None)  # counted, but no timing

        if first_frame is None and fed < _FIRST_FRAME_PACKET_BUDGET:
            fed += 1
            try:
                frames = codec_context.decode(packet)
            except Exception as exc:  # keep trying later packets
                decode_error = exc
                frames = []
            if frames:
                first_frame = frames[0]
                # No more decoding: release decoder threads and buffers early.
                codec_context.flush_buffers()

    if first_frame is None and fed:
        try:  # short clips may only emit their frame when the decoder drains
            frames = codec_context.decode(None)
            first_frame = frames[0] if frames else None
        except Exception as exc:
            decode_error = exc

    if damaged or frame_count < indexed_packets:
        raise NotAVideo(NotAVideo.UNREADABLE, _TRUNCATED)
    if first_frame is None:
        raise NotAVideo(NotAVideo.UNDECODABLE) from decode_error

    keyframe_count = len(keyframe_ts)
    all_intra = frame_count > 0 and keyframe_count == frame_count
    keyframe_interval = 0.0
    if not all_intra:
        # Longest GOP, including the last one (up to the end of the stream):
        # that is the worst case for seeking/cutting, and it stays meaningful
        # for a file with a single keyframe.
        times = sorted(t for t in keyframe_ts if t is not None)
        if times and end_ts is not None:
            bounds = [*times, max(end_ts, times[-1])]
            keyframe_interval = float(max(b - a for a, b in itertools.pairwise(bounds)) * tb)
        else:
            keyframe_interval = duration

    rate = _stream_rate(vstream, frame_count, duration)
    width = codec_context.width or first_frame.width
    height = codec_context.height or first_frame.height
    pixel_format = codec_context.pix_fmt or first_frame.format.name

    audio_codec = audio_channels = audio_sample_rate = None
    if container.streams.audio:
        actx = container.streams.audio[0].codec_context
        if actx is not None:
            audio_codec = actx.codec.canonical_name
            audio_channels = actx.layout.nb_channels or None
            audio_sample_rate = actx.sample_rate or None

    # Codec names are canonical_name (what ffprobe calls codec_name), not the
    # decoder PyAV picked: "mp3" rather than "mp3float", "av1" rather than
    # "libdav1d", so stored values do not change with the libav build.
    return MediaProbe(
        container=fmt,
        duration=duration,
        width=width,
        height=height,
        frame_rate=float(rate),
        frame_rate_exact=f"{rate.numerator}/{rate.denominator}",
        video_codec=codec_context.codec.canonical_name,
        video_profile=codec_context.profile or None,
        pixel_format=pixel_format,
        audio_codec=audio_codec,
        audio_channels=audio_channels,
        audio_sample_rate=audio_sample_rate,
        bit_rate=container.bit_rate or None,
        frame_count=frame_count,
        keyframe_count=keyframe_count,
        all_intra=all_intra,
        keyframe_interval=keyframe_interval,
    )


def _stream_rate(vstream, frame_count: int, duration: float) -> Fraction:
    # average_rate is what the stream actually delivers and is exact for the
    # constant-rate material broadcast deals in (30000/1001 stays 30000/1001);
    # guessed_rate is ffmpeg's own fallback when the container lacks it.
    for rate in (vstream.average_rate, vstream.guessed_rate, vstream.base_rate):
        if rate:
            return Fraction(rate)
    return Fraction(frame_count / duration).limit_denominator(1001) if duration else Fraction(0)
