"""Cutting clips out of video masters for partial downloads.

Two ways to cut, chosen by the master and the requested mode:

- **Stream copy** (intra-only masters in any mode; long-GOP masters in
  ``fast`` mode): packets are copied as they are, so the clip has the master's
  quality and costs about as much as reading that part of the file. A copied
  clip can only start on a keyframe: on ProRes/DNxHD/AVC-Intra every frame is
  one, so the in point is the frame showing at ``start``; on long-GOP masters
  it is the keyframe at or before ``start``. The out point is the first frame
  boundary at or after ``end`` where the stream can be cut cleanly (see
  ``_clean_cut``), so the clip always covers the requested range.
- **Re-encoding** (long-GOP masters in ``exact`` mode): H.264/AAC in MP4 from
  the frame showing at ``start`` to the frame boundary at or after ``end``.

Where the cut can be made is worked out beforehand by demuxing (never
decoding) the packets around the in and out points with PyAV, after a seek:
the work does not grow with the master's length, and over HTTP(S) it costs a
few range requests. After ffmpeg has written the clip, its packets are read
back and checked (starts on a keyframe, no leading frames, the planned
length), so a clip that is not what we report is never published.

Pure Python like ``videos.media``: no model imports.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import itemgetter
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import av

from downloads.packet_index import IndexedPacket, MasterIndex
from videos.media import FfmpegError, _atomic_output, _default_timeout, ffmpeg_binary

__all__ = ["EXACT", "FAST", "MODES", "ClipCut", "ClipError", "clip_suffix", "cut_clip"]

FAST = "fast"
EXACT = "exact"
MODES = (FAST, EXACT)

# Containers a stream-copied clip can be written in, by suffix: the master's
# own, so every codec it carries is accepted and tools treat the clip like the
# master. Masters in other containers (MPEG-TS, AVI, ...) get QuickTime, which
# takes every broadcast codec. So do long-GOP MXF masters (XDCAM HD422): the
# MXF muxer derives its index's frame order from the GOP structure and gets it
# wrong once the leading frames of an open GOP are cut away.
_COPY_MUXERS = {".mov": "mov", ".mp4": "mp4", ".m4v": "mp4", ".mxf": "mxf", ".mkv": "matroska"}
_INTRA_ONLY_SUFFIXES = frozenset({".mxf"})
_COPY_FALLBACK_SUFFIX = ".mov"
# Clips written in-process from a packet index: libavformat's MP4/MOV muxer,
# driven packet by packet as ffmpeg drives it. Other containers go through ffmpeg.
_INDEXED_SUFFIXES = frozenset({".mov", ".mp4", ".m4v"})
_EXACT_SUFFIX = ".mp4"

# Requested times are millisecond timecodes: a frame boundary within half a
# millisecond of one is taken as meant, so "00:00:01.001" at 30000/1001 fps
# starts on frame 30 (1.001001 s) rather than on frame 29.
_TIMECODE_SLACK = 0.0005

# The video track may end a little before the master's duration (audio often
# runs a few frames longer), but not by more than this: a master whose video
# stops earlier than the requested end is cut short, not a shorter clip.
_VIDEO_END_SLACK = 0.5

# How far back to seek when a demuxer lands after the wanted keyframe: MP4/MOV
# index by decode time, so with B-frames the keyframe found can show slightly
# later; demuxers without an index only land near the time. None: the start.
_SEEK_BACKOFF = (0.0, 1.0, 5.0, 30.0, 120.0, None)
# Video packets we read around one point at most (a few GOPs): past this the
# stream has no usable keyframes or no end, and we stop rather than read an hour.
_PACKET_BUDGET = 5000
# Seconds PyAV waits on a network source to open or answer a read.
_NETWORK_TIMEOUT = 30.0

# Re-encoding: x264's "faster" preset at CRF 18. Measured on a 1080p25 clip
# on our 2-core machine: "veryfast" encodes 1.7 times as fast but scores 1.6 dB
# lower PSNR (1.2 dB SSIM) at the same file size, as it drops trellis
# quantisation and most of the motion search; "medium" (x264's default) adds
# only 0.8 dB for 1.45 times the time. These clips are for broadcast
# professionals, so quality comes first, but the editor waits for the job:
# "faster" is the knee of that curve. CRF 18 is visually lossless.
_X264_PRESET = "faster"
_X264_CRF = "18"
_AAC_BITRATE = "192k"


class ClipError(FfmpegError):
    """Cutting a clip failed. ``code`` is stable (for job records and metrics), ``reason`` is for people.

    ``str(error)`` also carries ffmpeg's stderr, for logs.
    """

    UNREADABLE = "master_unreadable"
    DAMAGED = "master_damaged"
    FAILED = "cut_failed"
    TIMED_OUT = "timed_out"

    REASONS = {
        UNREADABLE: "The master video could not be read.",
        DAMAGED: "The master video is damaged or incomplete in this range.",
        FAILED: "The clip could not be cut from the master video.",
        TIMED_OUT: "Cutting the clip took too long.",
    }

    def __init__(self, code: str, *, detail: str = "", **ffmpeg) -> None:
        self.code = code
        self.reason = self.REASONS[code]
        super().__init__(f"{self.reason} {detail}".strip(), **ffmpeg)


@dataclass(frozen=True)
class ClipCut:
    start: float  # actual in point of the written clip, seconds in the master's timeline
    end: float  # actual out point
    stream_copied: bool  # True when no re-encode happened
    suffix: str  # file suffix written, e.g. ".mov" or ".mp4"


def clip_suffix(master_name: str, mode: str, all_intra: bool) -> str:
    """The suffix (and so the container) of a clip of ``master_name``: name ``cut_clip``'s ``dest`` with it."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if mode == EXACT and not all_intra:
        return _EXACT_SUFFIX
    # A presigned URL's suffix is in its path, before the query string.
    path = urlsplit(master_name).path if "://" in master_name else master_name
    suffix = PurePosixPath(path).suffix.lower()
    return suffix if suffix in _copy_suffixes(all_intra) else _COPY_FALLBACK_SUFFIX


def _copy_suffixes(all_intra: bool) -> tuple[str, ...]:
    return tuple(s for s in _COPY_MUXERS if all_intra or s not in _INTRA_ONLY_SUFFIXES)


def cut_clip(
    source: str | os.PathLike,
    dest: os.PathLike,
    *,
    start: float,
    end: float,
    mode: str,
    all_intra: bool,
    duration: float,
    progress: Callable[[float], None] | None = None,
    timeout: float | None = None,
    index: MasterIndex | None = None,
) -> ClipCut:
    """Cut [start, end) of ``source`` into ``dest`` and report the in and out points actually written.

    ``source`` is a local path or an http(s) URL (e.g. presigned S3): ffmpeg
    and PyAV seek with range requests, the master is never downloaded.
    ``dest``'s suffix picks the container and must be the one ``clip_suffix``
    gives; ``dest`` is written atomically (a temporary name, then
    ``os.replace``) and nothing is left behind on failure. ``duration`` is the
    master's, for validation. ``progress`` receives 0..100 while re-encoding,
    and 100 once the clip is published, whatever the mode. ``timeout`` bounds
    the ffmpeg run (default: proportional to the clip's length).

    ``index``: the master's packet index (``downloads.packet_index``), when it
    has a valid one. A stream copy into MP4/MOV is then planned from it and
    written in-process from one ranged read of the clip's bytes, without
    opening the master, so its cost does not grow with the master's length.

    Raises ``ValueError`` for bad arguments and ``ClipError`` (an
    ``FfmpegError``, with a short ``reason``) when the clip cannot be made.
    """
    _validate_times(start, end, duration)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    dest = Path(dest)
    copy = all_intra or mode == FAST
    suffix = dest.suffix.lower()
    allowed = _copy_suffixes(all_intra) if copy else (_EXACT_SUFFIX,)
    if suffix not in allowed:
        raise ValueError(f"a {'stream-copied' if copy else 're-encoded'} clip is written to {allowed}, not {dest.name}")
    source = os.fspath(source)

    indexed = copy and index is not None and suffix in _INDEXED_SUFFIXES
    if indexed:
        plan, selection = _plan_from_index(index, start, end, network="://" in source)
    else:
        plan = _plan(source, start, end, copy=copy)
    length = plan.out_point - plan.in_point
    if timeout is None:
        timeout = _default_timeout(length, per_second=2.0 if copy else 10.0, minimum=120.0)
    try:
        with _atomic_output(dest) as tmp:
            if indexed:
                run = _write_from_index(source, tmp, index, selection, _COPY_MUXERS[suffix], timeout)
            elif copy:
                run = _run_ffmpeg(_copy_args(source, tmp, plan, _COPY_MUXERS[suffix]), timeout)
            else:
                run = _run_ffmpeg(_encode_args(source, tmp, plan), timeout, length, progress)
            _check_clip(tmp, plan, run)
    except ClipError:
        raise
    except FfmpegError as exc:  # _atomic_output: ffmpeg exited cleanly but wrote nothing
        raise ClipError(ClipError.FAILED, detail=str(exc)) from exc
    if progress is not None:
        progress(100.0)
    return ClipCut(start=plan.in_point, end=plan.out_point, stream_copied=copy, suffix=suffix)


def _validate_times(start: float, end: float, duration: float) -> None:
    for name, value in (("start", start), ("end", end), ("duration", duration)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number of seconds, not {value!r}")
    if not 0 <= start < end <= duration:
        raise ValueError(f"need 0 ≤ start < end ≤ duration, got start={start:g}, end={end:g}, duration={duration:g}")


# --------------------------------------------------------------------------- #
# Planning: where the clip can start and end, from the packets around them
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Packet:
    pts: float  # seconds in the master's timeline
    dts: float
    duration: float
    keyframe: bool
    raw_dts: int | None  # in the stream's time base, as the demuxer's index has it


@dataclass(frozen=True)
class _Plan:
    in_point: float  # what the clip starts with: a keyframe when copying, else the frame showing at start
    out_point: float  # where it ends (exclusive)
    frame_duration: float
    rate: Fraction  # the master's frame rate
    video_index: int  # the master's video stream, for -map
    network: bool
    # How a stream copy ends exactly at out_point (see _copy_args):
    reordered: bool = False  # B-frames: decode order differs from display order
    leading: bool = False  # open GOP: frames after the keyframe that show before it
    copy_frames: int | None = None  # video packets from the keyframe to the clean cut, when the index tells


def _plan(source: str, start: float, end: float, *, copy: bool) -> _Plan:
    network = "://" in source
    try:
        options = {"timeout": _NETWORK_TIMEOUT} if network else {}
        container = av.open(source, metadata_errors="replace", **options)
    except Exception as exc:  # missing, unreadable, not media, server refused
        raise ClipError(ClipError.UNREADABLE, detail=f"({exc})") from exc
    with container:
        try:
            return _plan_container(container, start, end, copy=copy, network=network)
        except ClipError:
            raise
        except Exception as exc:  # damaged files make libav fail in many ways
            raise ClipError(ClipError.DAMAGED, detail=f"({exc})") from exc


def _plan_container(container, start: float, end: float, *, copy: bool, network: bool) -> _Plan:
    videos = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    if not videos:
        raise ClipError(ClipError.UNREADABLE, detail="(no video stream)")
    stream = videos[0]
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if not rate:
        raise ClipError(ClipError.UNREADABLE, detail="(no frame rate)")
    rate = Fraction(rate)
    frame = float(1 / rate)

    entry = _scan_in(_packets_from_keyframe(container, stream, start + _TIMECODE_SLACK), start + _TIMECODE_SLACK)
    # A clean cut at or after end, or where the video ends if that is earlier.
    ending = _scan_out(_packets_from_keyframe(container, stream, end - _TIMECODE_SLACK), end - _TIMECODE_SLACK)
    in_point, out_point = _in_and_out(entry, ending, end, rate, copy=copy)
    reordered = entry.reordered or ending.reordered
    copy_frames = None
    if copy and reordered and ending.left_out is not None:
        copy_frames = _packets_between(stream, entry.keyframe, ending.left_out)
    return _Plan(in_point, out_point, frame, rate, stream.index, network, reordered, entry.leading, copy_frames)


def _in_and_out(entry: _Entry, ending: _Exit, end: float, rate: Fraction, *, copy: bool) -> tuple[float, float]:
    if ending.out_point < end - _VIDEO_END_SLACK:
        raise ClipError(ClipError.DAMAGED, detail=f"(the video stops at {ending.out_point:.3f} s)")
    if copy:
        in_point, out_point = entry.keyframe.pts, ending.out_point
    else:
        # The encoder can start anywhere: on the frame showing at start, and
        # end on the frame grid from there (CFR output at the master's rate).
        in_point = entry.frame
        frames = math.ceil((end - in_point - _TIMECODE_SLACK) * rate)
        out_point = min(ending.out_point, in_point + frames * float(1 / rate))
    if out_point <= in_point:
        raise ClipError(ClipError.DAMAGED, detail="(no video in this range)")
    return in_point, out_point


@dataclass(frozen=True)
class _Entry:
    keyframe: _Packet  # the last keyframe at or before the in point
    frame: float  # the last frame shown at or before it
    leading: bool
    reordered: bool


def _scan_in(packets: Iterator[_Packet], target: float) -> _Entry:
    """From video packets in decode order from a keyframe at or before ``target`` (or the video's first)."""
    keyframe = None
    frame = -math.inf
    leading = reordered = False
    for count, packet in enumerate(packets):
        # The first packet is a keyframe, which shows after target when the video starts later.
        if keyframe is None or (packet.keyframe and packet.pts <= target):
            keyframe, leading = packet, False
        elif packet.pts < keyframe.pts:
            leading = True
        reordered = reordered or packet.dts != packet.pts
        if packet.pts <= target:
            frame = max(frame, packet.pts)
        # Decode times only grow and a frame shows no earlier than it decodes:
        # nothing further on can show at or before target, nor before the keyframe.
        if packet.dts > target or count > _PACKET_BUDGET:
            break
    if keyframe is None:
        raise ClipError(ClipError.DAMAGED, detail="(no keyframe before the in point)")
    return _Entry(keyframe, max(frame, keyframe.pts), leading, reordered)


@dataclass(frozen=True)
class _Exit:
    out_point: float
    left_out: _Packet | None  # the first packet in decode order after the cut; None: the video ends first
    reordered: bool


def _scan_out(packets: Iterator[_Packet], target: float) -> _Exit:
    """The first point at or after ``target`` where the copied stream can end cleanly (or the video's end).

    ``packets``: video packets in decode order from a keyframe at or before ``target``.
    """
    window: list[_Packet] = []
    for packet in packets:
        window.append(packet)
        cut = _clean_cut(window, target)
        if cut is not None:
            index, out_point = cut
            return _Exit(out_point, window[index], any(p.dts != p.pts for p in window))
        if len(window) > _PACKET_BUDGET:
            raise ClipError(ClipError.DAMAGED, detail="(no clean out point)")
    if not window:
        raise ClipError(ClipError.DAMAGED, detail="(no video at the out point)")
    # The video ends before a clean cut: take all of it.
    return _Exit(max(p.pts + p.duration for p in window), None, any(p.dts != p.pts for p in window))


def _packets_between(stream, first: _Packet, left_out: _Packet) -> int | None:
    """How many packets from ``first`` up to ``left_out`` (excluded), from the demuxer's index.

    MP4/MOV index every packet by decode time; other demuxers index some
    (keyframes) or none, and then we cannot tell without reading them all.
    """
    entries = stream.index_entries
    if first.raw_dts is None or left_out.raw_dts is None or not len(entries):
        return None
    i = entries.search_timestamp(first.raw_dts, backward=True, any_frame=True)
    j = entries.search_timestamp(left_out.raw_dts, backward=True, any_frame=True)
    if i < 0 or j <= i or entries[i].timestamp != first.raw_dts or entries[j].timestamp != left_out.raw_dts:
        return None
    return j - i


def _clean_cut(window: Sequence[_Packet], target: float) -> tuple[int, float] | None:
    """Where to end a stream copy, given packets in decode order from a keyframe; None: read more.

    Returns the index of the first packet left out and the time the clip ends.

    Copying keeps a prefix of the packets in decode order (anything else
    loses references). With B-frames a prefix can show a gap (I0 P3 B1 shows
    frames 0, 1 and 3) or frames that need a dropped reference. A cut before
    packet j is clean when every packet before it shows earlier than every
    packet from it on; the clip then shows exactly [in, pts of the first
    frame left out). Packets not read yet decode (so show) no earlier than
    the last decode time read, which decides when the answer is final.
    """
    last_dts = window[-1].dts
    shown_from = [0.0] * len(window)  # shown_from[j]: the earliest pts from packet j on
    earliest = math.inf
    for j in range(len(window) - 1, -1, -1):
        earliest = shown_from[j] = min(earliest, window[j].pts)
    shown_before = -math.inf
    for j, packet in enumerate(window):
        rest = shown_from[j]
        if target <= rest <= last_dts and shown_before < rest:
            return j, rest
        shown_before = max(shown_before, packet.pts)
    return None


def _packets_from_keyframe(container, stream, target: float) -> Iterator[_Packet]:
    """Video packets in decode order, from a keyframe at or before ``target`` (or the video's first one)."""
    tb = stream.time_base
    origin = (container.start_time or 0) / av.time_base  # ffmpeg's -ss counts from here too
    for back in _SEEK_BACKOFF:
        at_start = back is None or target - back <= 0
        seek_to = (stream.start_time or 0) if at_start else math.floor((target - back + origin) / tb)
        try:
            container.seek(seek_to, stream=stream, backward=True, any_frame=False)
        except av.error.FFmpegError:
            if at_start:
                raise
            continue
        packets = _video_packets(container, stream, origin)
        first = next((p for p in packets if p.keyframe), None)
        if first is None:
            if at_start:
                return
            continue
        if first.pts <= target or at_start:
            yield first
            yield from packets
            return


def _video_packets(container, stream, origin: float) -> Iterator[_Packet]:
    tb = stream.time_base
    for packet in container.demux(stream):
        if packet.size == 0:  # PyAV's end-of-stream flush packet
            continue
        if packet.is_corrupt:
            raise ClipError(ClipError.DAMAGED, detail="(corrupt packet)")
        pts = packet.pts if packet.pts is not None else packet.dts
        if pts is None:
            continue
        dts = packet.dts if packet.dts is not None else pts
        yield _Packet(
            pts=float(pts * tb) - origin,
            dts=float(dts * tb) - origin,
            duration=float((packet.duration or 0) * tb),
            keyframe=packet.is_keyframe,
            raw_dts=packet.dts,
        )


# --------------------------------------------------------------------------- #
# Stream copies from a packet index
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Selection:
    """The master's packets a clip keeps, per indexed stream, in decode order."""

    packets: list[list[IndexedPacket]]


class _NeedMore(Exception):
    """The packets loaded do not reach far enough: load a wider range."""


def _plan_from_index(index: MasterIndex, start: float, end: float, *, network: bool) -> tuple[_Plan, _Selection]:
    """Plan a stream copy as ``_plan`` does, from the index's packets around the clip instead of the master."""
    rate = Fraction(index.frame_rate)
    # Decode times to load: from a keyframe interval before the in point (its
    # keyframe is in there) to a little past the out point (the clean cut).
    before, after = index.keyframe_gap + 1.0, 2.0
    while True:
        packets, complete_before, complete_after = index.packets(start - before, end + after)
        try:
            return _plan_packets(index, packets, start, end, rate, network, complete_before, complete_after)
        except _NeedMore:
            if complete_before and complete_after:
                raise ClipError(ClipError.DAMAGED, detail="(no clean cut in the packet index)") from None
            before, after = before * 4, after * 4


def _plan_packets(index, packets, start, end, rate, network, complete_before, complete_after):
    stream = index.streams[0]
    # Integer products over the denominator: the floats float(pts * time_base)
    # gives (correctly rounded, so the same in and out points as _plan), without
    # a Fraction per timestamp; a minute of packets is thousands of them.
    num, den = stream.time_base.numerator, stream.time_base.denominator
    origin = index.origin
    video = [
        _Packet(p.pts * num / den - origin, p.dts * num / den - origin, p.duration * num / den, p.keyframe, p.dts)
        for p in packets[0]
    ]

    def from_keyframe(target: float) -> int:
        """Where ``_packets_from_keyframe`` would start: the last keyframe showing at or before target."""
        found = None
        for i, packet in enumerate(video):
            if packet.dts > target:  # nothing further on shows at or before target
                break
            if packet.keyframe and packet.pts <= target:
                found = i
        if found is None and not complete_before:
            raise _NeedMore
        if found is None:  # the video starts after target: its first keyframe
            found = next((i for i, packet in enumerate(video) if packet.keyframe), None)
        if found is None:
            raise ClipError(ClipError.DAMAGED, detail="(no keyframe in the packet index)")
        return found

    # Packets not loaded yet could change either answer: ask for more until they cannot.
    entry_at = from_keyframe(start + _TIMECODE_SLACK)
    entry = _scan_in(iter(video[entry_at:]), start + _TIMECODE_SLACK)
    if not complete_after and video[-1].dts <= start + _TIMECODE_SLACK:
        raise _NeedMore
    ending = _scan_out(iter(video[from_keyframe(end - _TIMECODE_SLACK) :]), end - _TIMECODE_SLACK)
    if ending.left_out is None and not complete_after:
        raise _NeedMore
    in_point, out_point = _in_and_out(entry, ending, end, rate, copy=True)

    first = next(i for i, p in enumerate(video) if p is entry.keyframe)
    stop = len(video) if ending.left_out is None else next(i for i, p in enumerate(video) if p is ending.left_out)
    # Open GOPs: the leading frames after the keyframe show before it and need the previous GOP.
    quarter = float(1 / rate) / 4
    shown = zip(packets[0][first:stop], video[first:stop], strict=True)
    kept = [[raw for raw, packet in shown if packet.pts > in_point - quarter]]
    # Audio: every packet that sounds between the in and out points.
    for audio, every in zip(index.streams[1:], packets[1:], strict=True):
        atb = float(audio.time_base)
        low, high = (in_point + origin) / atb, (out_point + origin) / atb
        kept.append([p for p in every if p.pts + p.duration > low and p.pts < high])
    if not complete_before and any(a and a[0] is every[0] for a, every in zip(kept[1:], packets[1:], strict=True)):
        raise _NeedMore  # the audio may start before what was loaded
    reordered = entry.reordered or ending.reordered
    plan = _Plan(in_point, out_point, float(1 / rate), rate, stream.master_index, network, reordered, entry.leading)
    return plan, _Selection(kept)


def _write_from_index(
    source: str, out: Path, index: MasterIndex, selection: _Selection, muxer: str, timeout: float
) -> _Run:
    """Write the selected packets into ``out``, read from the master in one ranged read, muxed by libavformat.

    Timestamps are shifted so that the earliest decode time is 0, as ffmpeg's
    ``-avoid_negative_ts make_zero`` does on the ffmpeg path.
    """
    what = [f"packet index: copy {sum(map(len, selection.packets))} packets of {source} into {out.name}"]
    deadline = time.monotonic() + timeout
    ordered = sorted(((p.pos, i, p) for i, packets in enumerate(selection.packets) for p in packets), key=itemgetter(0))
    if not ordered or not selection.packets[0]:
        raise ClipError(ClipError.DAMAGED, detail="(no video in this range)", cmd=what)
    zero = min(
        Fraction(packets[0].dts) * s.time_base
        for s, packets in zip(index.streams, selection.packets, strict=True)
        if packets
    )
    shifts = [round(zero / s.time_base) for s in index.streams]
    first, last = ordered[0][0], max(p.pos + p.size for _, _, p in ordered)
    try:
        with (
            _open_span(source, first, last) as span,
            av.open(io.BytesIO(index.template)) as template,
            av.open(os.fspath(out), "w", format=muxer) as output,
        ):
            output.metadata.update(template.metadata)
            streams = []
            for stream in template.streams:
                copy = output.add_stream_from_template(stream)
                copy.codec_tag = stream.codec_tag
                copy.metadata.update(stream.metadata)
                copy.disposition = stream.disposition
                streams.append(copy)
            if len(streams) != len(index.streams):
                raise ClipError(ClipError.FAILED, detail="(the index's template does not match it)", cmd=what)
            for count, (pos, i, p) in enumerate(ordered):
                if not count % 256 and time.monotonic() > deadline:
                    raise ClipError(ClipError.TIMED_OUT, detail=f"(after {timeout:g} s)", cmd=what)
                packet = av.Packet(span.read(pos, p.size))
                packet.stream = streams[i]
                packet.time_base = index.streams[i].time_base
                packet.pts, packet.dts = p.pts - shifts[i], p.dts - shifts[i]
                packet.duration = p.duration
                packet.is_keyframe = bool(p.keyframe)
                output.mux_one(packet)
    except ClipError:
        raise
    except (OSError, urllib.error.URLError) as exc:
        raise ClipError(ClipError.UNREADABLE, detail=f"({exc})", cmd=what) from exc
    except av.error.FFmpegError as exc:
        raise ClipError(ClipError.FAILED, detail=f"({exc})", cmd=what) from exc
    return _Run(what, "")


class _Span:
    """Reads a byte range of the master forward, packet by packet, skipping what lies between."""

    def __init__(self, stream, first: int, end: int):
        self.stream = stream
        self.at = first
        self.end = end

    def read(self, pos: int, size: int) -> bytes:
        if pos < self.at:
            raise ClipError(ClipError.FAILED, detail="(packets overlap in the index)")
        while pos > self.at:  # another stream's packets, or a gap
            skipped = self.stream.read(min(pos - self.at, 1 << 20))
            if not skipped:
                break
            self.at += len(skipped)
        data = self.stream.read(size) if pos == self.at else b""
        self.at += len(data)
        if len(data) != size:
            raise ClipError(ClipError.DAMAGED, detail=f"(the master ends before byte {pos + size})")
        return data


@contextlib.contextmanager
def _open_span(source: str, first: int, end: int) -> Iterator[_Span]:
    """Bytes ``first`` to ``end`` (excluded) of a local master, or of a URL by one HTTP range request."""
    if "://" not in source:
        with open(source, "rb") as handle:
            handle.seek(first)
            yield _Span(handle, first, end)
        return
    request = urllib.request.Request(source, headers={"Range": f"bytes={first}-{end - 1}"})  # noqa: S310
    try:
        response = urllib.request.urlopen(request, timeout=_NETWORK_TIMEOUT)  # noqa: S310 - our storage's URL
    except urllib.error.HTTPError as exc:
        code = ClipError.DAMAGED if exc.code == 416 else ClipError.UNREADABLE
        raise ClipError(code, detail=f"(HTTP {exc.code} for bytes {first}-{end - 1})") from exc
    with response:
        span = _Span(response, 0 if response.status == 200 else first, end)
        yield span


# --------------------------------------------------------------------------- #
# ffmpeg
# --------------------------------------------------------------------------- #


def _input_args(source: str, plan: _Plan, seek: float) -> list[str]:
    # Network reads that stall for this long fail instead of waiting for the job timeout.
    network = ["-rw_timeout", str(int(_NETWORK_TIMEOUT * 1_000_000))] if plan.network else []
    # -ss before -i: the demuxer seeks (by index, or HTTP range) instead of reading from the start.
    return [*network, "-ss", f"{seek:.6f}", "-i", source]


def _copy_args(source: str, out: Path, plan: _Plan, muxer: str) -> list[str]:
    # Seek a hair past the keyframe: ffmpeg lands on the keyframe at or
    # before the seek point, and µs rounding must not put that one frame early.
    seek = plan.in_point + min(0.001, plan.frame_duration / 4)
    quarter = plan.frame_duration / 4
    # Times relative to the seek point are on ffmpeg's output timeline, where it is 0.
    #
    # Ending exactly at out_point. ffmpeg ends a copied stream at the first
    # packet whose *decode* time reaches -t. Without B-frames that is the out
    # point (a hair before it, so rounding cannot let the next frame in). With
    # B-frames it would leave gaps or frames without their references (see
    # _clean_cut), so the video instead stops after the counted packets of the
    # clean cut; -t still ends the audio at the out point. When the demuxer's
    # index cannot count them, or in an open GOP whose leading frames (after
    # the keyframe in decode order, showing before it, needing the previous
    # GOP: players would show them broken) must go, the noise filter drops
    # packets by display time; it reads every byte of every packet (0.16 s
    # for a minute of 1080p ProRes), so only then.
    video = []
    length = plan.out_point - seek
    if plan.leading or (plan.reordered and plan.copy_frames is None):
        first, last = plan.in_point - seek - quarter, plan.out_point - seek - quarter
        video = ["-bsf:v", rf"noise=drop=lt(pts*tb\,{first:.6f})+gte(pts*tb\,{last:.6f})"]
    elif plan.copy_frames is not None:
        video = ["-frames:v", str(plan.copy_frames)]
    elif not plan.reordered:
        length -= min(0.0001, quarter)
    # With B-frames the demuxer starts the audio at the keyframe's decode
    # time, a few frames early: drop the audio packets that end before the in point.
    audio = [] if not plan.reordered else ["-bsf:a", rf"noise=drop=lte((pts+duration)*tb\,{plan.in_point - seek:.6f})"]
    return [
        *_input_args(source, plan, seek),
        "-t", f"{length:.6f}",
        "-map", f"0:{plan.video_index}",
        "-map", "0:a?",  # every audio track: broadcast masters carry several
        "-c", "copy",
        *video,
        *audio,
        # Shift the clip to start at 0 rather than let the MP4/MOV muxer write
        # an edit list that hides the frames before the seek point: players
        # that ignore edit lists would show them, and the clip would not start
        # on its keyframe.
        "-avoid_negative_ts", "make_zero",
        "-f", muxer,
        out,
    ]  # fmt: skip


def _encode_args(source: str, out: Path, plan: _Plan) -> list[str]:
    # Round the seek down: with re-encoding ffmpeg decodes from the previous
    # keyframe and drops frames before the seek point, so it must not pass
    # the in frame's timestamp.
    seek = math.floor(plan.in_point * 1_000_000) / 1_000_000
    frames = round((plan.out_point - plan.in_point) / plan.frame_duration)
    rate = f"{plan.rate.numerator}/{plan.rate.denominator}"
    return [
        *_input_args(source, plan, seek),
        "-t", f"{plan.out_point - seek:.6f}",  # the audio ends at the out point, to the sample
        "-map", f"0:{plan.video_index}",
        "-map", "0:a:0?",
        # 10-bit and 4:2:2 masters would otherwise give High 4:2:2 H.264,
        # which most players cannot decode. BT.709 tags (limited range) on the
        # frames, where the encoder takes them from (-color_primaries and
        # friends are overridden by the frames' own, often unset, values).
        # Tags only, no matrix conversion: broadcast HD masters are BT.709.
        "-vf", "format=yuv420p,setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv",
        "-frames:v", str(frames),
        "-c:v", "libx264", "-preset", _X264_PRESET, "-crf", _X264_CRF,
        "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-fps_mode", "cfr", "-r", rate,
        # Closed GOPs of one second: every keyframe is a clean cut point for
        # whoever edits the clip next, and scrubbing stays responsive.
        "-g", str(max(1, round(plan.rate))), "-flags", "+cgop",
        "-c:a", "aac", "-b:a", _AAC_BITRATE, "-ar", "48000", "-ac", "2",
        "-movflags", "+faststart",
        "-f", "mp4",
        out,
    ]  # fmt: skip


@dataclass(frozen=True)
class _Run:
    cmd: list[str]
    stderr: str


def _run_ffmpeg(
    args: Sequence[str | os.PathLike[str]],
    timeout: float,
    length: float = 0.0,
    progress: Callable[[float], None] | None = None,
) -> _Run:
    """Like ``media.run_ffmpeg``, reading ``-progress`` from stdout while it runs."""
    cmd = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y"]
    if progress is not None and length > 0:
        # Progress lines (out_time_us=...) on stdout; 4 a second, so short
        # clips still show movement and a long one updates its job smoothly.
        cmd += ["-progress", "pipe:1", "-stats_period", "0.25"]
    cmd += [os.fspath(a) for a in args]
    timed_out = threading.Event()
    # stderr to a file, not a pipe: nobody reads it while stdout is read, and a
    # full pipe would block ffmpeg.
    with tempfile.TemporaryFile() as stderr_file:
        try:
            process = subprocess.Popen(  # noqa: S603 - fixed binary, argument list, no shell
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file
            )
        except OSError as exc:
            raise ClipError(ClipError.FAILED, detail=f"(could not start ffmpeg: {exc})", cmd=cmd) from exc

        def kill():
            timed_out.set()
            process.kill()

        watchdog = threading.Timer(timeout, kill)
        watchdog.start()
        try:
            reported = -1.0
            for line in process.stdout:
                key, _, value = line.decode("ascii", "replace").strip().partition("=")
                if key != "out_time_us":
                    continue
                try:
                    done = min(99.9, max(0.0, int(value) / 1_000_000 / length * 100))
                except ValueError:  # "N/A" before the first frame
                    continue
                if done > reported:  # 100 is for when the clip is published
                    reported = done
                    progress(done)
            returncode = process.wait()
        finally:
            watchdog.cancel()
            if process.poll() is None:  # the progress callback raised
                process.kill()
                process.wait()
            process.stdout.close()
            stderr_file.seek(0)
            stderr = stderr_file.read().decode("utf-8", "replace")
    if returncode != 0 and timed_out.is_set():
        raise ClipError(ClipError.TIMED_OUT, detail=f"(after {timeout:g} s)", cmd=cmd, stderr=stderr)
    if returncode != 0:
        raise ClipError(ClipError.FAILED, cmd=cmd, returncode=returncode, stderr=stderr)
    return _Run(cmd, stderr)


# --------------------------------------------------------------------------- #
# Checking what was written
# --------------------------------------------------------------------------- #


def _check_clip(path: Path, plan: _Plan, run: _Run) -> None:
    """Refuse a clip that does not start on a keyframe or is not as long as planned.

    ffmpeg exits cleanly when the master runs out early (a truncated upload)
    or when a demuxer seeks somewhere other than the keyframe we found; the
    clip is then not what we would report.
    """
    try:
        with av.open(os.fspath(path)) as clip:
            stream = clip.streams.video[0]
            tb = stream.time_base
            packets = (p for p in clip.demux(stream) if p.size and p.pts is not None)
            first = next(packets, None)
            if first is None:
                raise ClipError(ClipError.DAMAGED, detail="(no video written)", cmd=run.cmd, stderr=run.stderr)
            planned = plan.out_point - plan.in_point
            # Sum of the written frames' durations: MP4, MOV and MXF keep it per
            # stream. It can overstate what shows when frames were dropped
            # (open GOP), so it is only trusted when it agrees with the plan.
            header = float(stream.duration * tb) if stream.duration else None
            trust_header = header is not None and abs(header - planned) <= plan.frame_duration / 2
            leading = False
            shown_to = first.pts + (first.duration or 0)
            for packet in packets:
                leading = leading or packet.pts < first.pts
                shown_to = max(shown_to, packet.pts + (packet.duration or 0))
                # Nothing decoded from here on shows before this packet's decode time.
                if trust_header and packet.dts is not None and packet.dts >= first.pts:
                    break
            length = header if trust_header else float((shown_to - first.pts) * tb)
    except ClipError:
        raise
    except Exception as exc:
        raise ClipError(ClipError.FAILED, detail=f"(unreadable output: {exc})", cmd=run.cmd, stderr=run.stderr) from exc
    if not first.is_keyframe or leading:
        raise ClipError(ClipError.FAILED, detail="(does not start on a keyframe)", cmd=run.cmd, stderr=run.stderr)
    if abs(length - planned) > plan.frame_duration / 2:
        # Shorter: the master ran out of readable video. Otherwise the demuxer
        # did not seek where we planned: either way, not the clip we report.
        code = ClipError.DAMAGED if length < planned else ClipError.FAILED
        detail = f"(wrote {length:.3f} s of video instead of {planned:.3f} s)"
        raise ClipError(code, detail=detail, cmd=run.cmd, stderr=run.stderr)
