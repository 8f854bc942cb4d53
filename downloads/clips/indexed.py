"""Stream copies from a packet index: planned from the index's packets, written in-process from one ranged read.

The master is never opened: the cost does not grow with its length.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from operator import itemgetter
from pathlib import Path

import av

from downloads.packet_index import IndexedPacket, MasterIndex

from .errors import ClipError, Run
from .planning import NETWORK_TIMEOUT, TIMECODE_SLACK, Packet, Plan, in_and_out, scan_in, scan_out


@dataclass(frozen=True)
class Selection:
    """The master's packets a clip keeps, per indexed stream, in decode order."""

    packets: list[list[IndexedPacket]]


class _NeedMore(Exception):
    """The packets loaded do not reach far enough: load a wider range."""


def plan_from_index(index: MasterIndex, start: float, end: float, *, network: bool) -> tuple[Plan, Selection]:
    """Plan a stream copy as ``plan_from_master`` does, from the index's packets around the clip, not the master."""
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
    # gives (correctly rounded, so the same in and out points as plan_from_master), without
    # a Fraction per timestamp; a minute of packets is thousands of them.
    num, den = stream.time_base.numerator, stream.time_base.denominator
    origin = index.origin
    video = [
        Packet(p.pts * num / den - origin, p.dts * num / den - origin, p.duration * num / den, p.keyframe, p.dts)
        for p in packets[0]
    ]

    def from_keyframe(target: float) -> int:
        """Where ``planning._packets_from_keyframe`` would start: the last keyframe showing at or before target."""
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
    entry_at = from_keyframe(start + TIMECODE_SLACK)
    entry = scan_in(iter(video[entry_at:]), start + TIMECODE_SLACK)
    if not complete_after and video[-1].dts <= start + TIMECODE_SLACK:
        raise _NeedMore
    ending = scan_out(iter(video[from_keyframe(end - TIMECODE_SLACK) :]), end - TIMECODE_SLACK)
    if ending.left_out is None and not complete_after:
        raise _NeedMore
    in_point, out_point = in_and_out(entry, ending, end, rate, copy=True)

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
    plan = Plan(in_point, out_point, float(1 / rate), rate, stream.master_index, network, reordered, entry.leading)
    return plan, Selection(kept)


def write_from_index(
    source: str, out: Path, index: MasterIndex, selection: Selection, muxer: str, timeout: float
) -> Run:
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
    return Run(what, "")


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
        response = urllib.request.urlopen(request, timeout=NETWORK_TIMEOUT)  # noqa: S310 - our storage's URL
    except urllib.error.HTTPError as exc:
        code = ClipError.DAMAGED if exc.code == 416 else ClipError.UNREADABLE
        raise ClipError(code, detail=f"(HTTP {exc.code} for bytes {first}-{end - 1})") from exc
    with response:
        span = _Span(response, 0 if response.status == 200 else first, end)
        yield span
