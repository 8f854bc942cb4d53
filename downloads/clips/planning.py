"""Planning a clip: where it can start and end, from the master's packets around the in and out points.

The master is demuxed (never decoded) with PyAV after a seek, so the work
does not grow with its length; over HTTP(S) it costs a few range requests.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import av

from .errors import ClipError

# Requested times are millisecond timecodes: a frame boundary within half a
# millisecond of one is taken as meant, so "00:00:01.001" at 30000/1001 fps
# starts on frame 30 (1.001001 s) rather than on frame 29.
TIMECODE_SLACK = 0.0005

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
NETWORK_TIMEOUT = 30.0


@dataclass(frozen=True)
class Packet:
    pts: float  # seconds in the master's timeline
    dts: float
    duration: float
    keyframe: bool
    raw_dts: int | None  # in the stream's time base, as the demuxer's index has it


@dataclass(frozen=True)
class Plan:
    in_point: float  # what the clip starts with: a keyframe when copying, else the frame showing at start
    out_point: float  # where it ends (exclusive)
    frame_duration: float
    rate: Fraction  # the master's frame rate
    video_index: int  # the master's video stream, for -map
    network: bool
    # How a stream copy ends exactly at out_point (see ffmpeg.copy_args):
    reordered: bool = False  # B-frames: decode order differs from display order
    leading: bool = False  # open GOP: frames after the keyframe that show before it
    copy_frames: int | None = None  # video packets from the keyframe to the clean cut, when the index tells


def plan_from_master(source: str, start: float, end: float, *, copy: bool) -> Plan:
    network = "://" in source
    try:
        options = {"timeout": NETWORK_TIMEOUT} if network else {}
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


def _plan_container(container, start: float, end: float, *, copy: bool, network: bool) -> Plan:
    videos = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    if not videos:
        raise ClipError(ClipError.UNREADABLE, detail="(no video stream)")
    stream = videos[0]
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if not rate:
        raise ClipError(ClipError.UNREADABLE, detail="(no frame rate)")
    rate = Fraction(rate)
    frame = float(1 / rate)

    entry = scan_in(_packets_from_keyframe(container, stream, start + TIMECODE_SLACK), start + TIMECODE_SLACK)
    # A clean cut at or after end, or where the video ends if that is earlier.
    ending = scan_out(_packets_from_keyframe(container, stream, end - TIMECODE_SLACK), end - TIMECODE_SLACK)
    in_point, out_point = in_and_out(entry, ending, end, rate, copy=copy)
    reordered = entry.reordered or ending.reordered
    copy_frames = None
    if copy and reordered and ending.left_out is not None:
        copy_frames = _packets_between(stream, entry.keyframe, ending.left_out)
    return Plan(in_point, out_point, frame, rate, stream.index, network, reordered, entry.leading, copy_frames)


def in_and_out(entry: Entry, ending: Exit, end: float, rate: Fraction, *, copy: bool) -> tuple[float, float]:
    if ending.out_point < end - _VIDEO_END_SLACK:
        raise ClipError(ClipError.DAMAGED, detail=f"(the video stops at {ending.out_point:.3f} s)")
    if copy:
        in_point, out_point = entry.keyframe.pts, ending.out_point
    else:
        # The encoder can start anywhere: on the frame showing at start, and
        # end on the frame grid from there (CFR output at the master's rate).
        in_point = entry.frame
        frames = math.ceil((end - in_point - TIMECODE_SLACK) * rate)
        out_point = min(ending.out_point, in_point + frames * float(1 / rate))
    if out_point <= in_point:
        raise ClipError(ClipError.DAMAGED, detail="(no video in this range)")
    return in_point, out_point


@dataclass(frozen=True)
class Entry:
    keyframe: Packet  # the last keyframe at or before the in point
    frame: float  # the last frame shown at or before it
    leading: bool
    reordered: bool


def scan_in(packets: Iterator[Packet], target: float) -> Entry:
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
    return Entry(keyframe, max(frame, keyframe.pts), leading, reordered)


@dataclass(frozen=True)
class Exit:
    out_point: float
    left_out: Packet | None  # the first packet in decode order after the cut; None: the video ends first
    reordered: bool


def scan_out(packets: Iterator[Packet], target: float) -> Exit:
    """The first point at or after ``target`` where the copied stream can end cleanly (or the video's end).

    ``packets``: video packets in decode order from a keyframe at or before ``target``.
    """
    window: list[Packet] = []
    for packet in packets:
        window.append(packet)
        cut = _clean_cut(window, target)
        if cut is not None:
            index, out_point = cut
            return Exit(out_point, window[index], any(p.dts != p.pts for p in window))
        if len(window) > _PACKET_BUDGET:
            raise ClipError(ClipError.DAMAGED, detail="(no clean out point)")
    if not window:
        raise ClipError(ClipError.DAMAGED, detail="(no video at the out point)")
    # The video ends before a clean cut: take all of it.
    return Exit(max(p.pts + p.duration for p in window), None, any(p.dts != p.pts for p in window))


def _packets_between(stream, first: Packet, left_out: Packet) -> int | None:
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


def _clean_cut(window: Sequence[Packet], target: float) -> tuple[int, float] | None:
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


def _packets_from_keyframe(container, stream, target: float) -> Iterator[Packet]:
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


def _video_packets(container, stream, origin: float) -> Iterator[Packet]:
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
        yield Packet(
            pts=float(pts * tb) - origin,
            dts=float(dts * tb) - origin,
            duration=float((packet.duration or 0) * tb),
            keyframe=packet.is_keyframe,
            raw_dts=packet.dts,
        )
