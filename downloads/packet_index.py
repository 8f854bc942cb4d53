"""A master's packet index: where every packet a clip may keep lies in the file, built once per master.

Opening an MP4/MOV master means reading its whole index (the ``moov`` atom,
2.6 MB for an hour of 1080p with audio), so a clip cut by opening the master
costs more the longer the master is. The packet index holds the same facts,
stored so that a cut reads only the part covering the clip: for the video
stream a clip keeps and every audio stream, each packet's presentation and
decode times, duration, byte position, size and keyframe flag, in fixed-size
records grouped in chunks of ``CHUNK_SECONDS`` of decode time per stream.

It also holds a *template*: a tiny file in the master's container with the
first packet of each of those streams, stream-copied. Opening it recreates
the streams (codec, extradata, dimensions, sample rate, channel layout, time
base) exactly as ffmpeg would copy them from the master.

``build`` demuxes the master once, never decoding (a background task).
``PacketRange`` is what ``downloads.clips`` plans and writes from: the decoded
records of the chunks covering a range. Storing the chunks (the
``PacketIndex`` model) is the caller's business.

Pure Python like ``videos.media``: no model imports.
"""

from __future__ import annotations

import io
import itertools
import math
import os
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import PurePosixPath
from typing import NamedTuple

import av

__all__ = [
    "CHUNK_SECONDS",
    "FORMAT_VERSION",
    "BuiltIndex",
    "IndexedPacket",
    "IndexedStream",
    "MasterIndex",
    "build",
    "chunk_number",
    "decode_chunk",
    "in_memory",
    "supports",
]

# Bump when the record layout or the chunking changes: older indexes are then ignored and rebuilt.
FORMAT_VERSION = 1
# Ten seconds of one stream: about 250 video and 470 AAC records, 8 and 15 kB
# before compression. A minute's clip reads a dozen rows.
CHUNK_SECONDS = 10

# pts, dts, byte position (int64), duration, size (uint32), flags (uint8): 33 bytes.
_RECORD = struct.Struct("<qqqIIB")
_KEYFRAME = 1

# Masters whose clips we write in-process: their clip is in the master's own
# container (see clips.clip_suffix), whose muxer libavformat drives for us as
# it does for ffmpeg. Other containers keep ffmpeg's path.
_TEMPLATE_MUXERS = {".mov": "mov", ".mp4": "mp4", ".m4v": "mp4"}


def supports(master_name: str) -> bool:
    """Whether clips of this master can be cut from a packet index (by its file name)."""
    return PurePosixPath(master_name).suffix.lower() in _TEMPLATE_MUXERS


@dataclass(frozen=True)
class IndexedStream:
    kind: str  # "video" or "audio"
    master_index: int  # the stream's index in the master
    time_base: Fraction

    def as_json(self) -> dict:
        return {"kind": self.kind, "index": self.master_index, "time_base": [*self.time_base.as_integer_ratio()]}

    @classmethod
    def from_json(cls, data: dict) -> IndexedStream:
        return cls(data["kind"], data["index"], Fraction(*data["time_base"]))


class IndexedPacket(NamedTuple):
    pts: int  # in the stream's time base, as the master has them
    dts: int
    pos: int  # byte offset in the master
    duration: int
    size: int
    keyframe: int  # 1 for a keyframe, 0 otherwise


@dataclass
class BuiltIndex:
    streams: list[IndexedStream]  # the video stream first, then the audio streams
    origin: float  # the container's start time in seconds (ffmpeg's -ss counts from it)
    frame_rate: Fraction
    keyframe_gap: float  # the longest stretch of presentation time between keyframes, seconds
    template: bytes
    chunks: dict[tuple[int, int], bytes] = field(default_factory=dict)  # (stream, number): compressed records
    packets: int = 0

    @property
    def chunk_range(self) -> tuple[int, int]:
        """The first and last chunk numbers, over all streams."""
        numbers = [number for _stream, number in self.chunks]
        return min(numbers), max(numbers)

    @property
    def stored_bytes(self) -> int:
        """What storing the index takes: the template and the compressed chunks."""
        return len(self.template) + sum(map(len, self.chunks.values()))


def build(path: str | os.PathLike) -> BuiltIndex:
    """Demux ``path`` once (no decoding) and index the packets of the streams a clip keeps.

    Raises ``ValueError`` for masters without a usable video stream or in a
    container clips are not cut from in-process; libav's errors for damaged ones.
    """
    path = os.fspath(path)
    suffix = PurePosixPath(path).suffix.lower()
    if suffix not in _TEMPLATE_MUXERS:
        raise ValueError(f"packet indexes are built for {sorted(_TEMPLATE_MUXERS)} masters, not {suffix or path}")
    with av.open(path, metadata_errors="replace") as container:
        video = _clip_video_stream(container)
        if video is None:
            raise ValueError("no video stream")
        rate = video.average_rate or video.guessed_rate or video.base_rate
        if not rate:
            raise ValueError("no frame rate")
        kept = [video, *container.streams.audio]
        streams = [IndexedStream(s.type, s.index, Fraction(s.time_base)) for s in kept]
        ordinal = {s.index: i for i, s in enumerate(kept)}
        origin = (container.start_time or 0) / av.time_base
        buffers: dict[tuple[int, int], bytearray] = {}
        firsts: dict[int, av.Packet] = {}
        keyframes: list[float] = []
        count = 0
        for packet in container.demux(kept):
            if packet.size == 0:  # PyAV's end-of-stream flush packet
                continue
            if packet.is_corrupt:
                raise ValueError(f"corrupt packet at byte {packet.pos}")
            if packet.pos is None or packet.pos < 0:
                raise ValueError("the demuxer gives no byte positions")
            i = ordinal[packet.stream.index]
            dts = packet.dts if packet.dts is not None else packet.pts
            pts = packet.pts if packet.pts is not None else dts
            if dts is None:
                continue
            tb = streams[i].time_base
            if i == 0 and packet.is_keyframe:
                keyframes.append(float(pts * tb) - origin)
            if i != 0 or packet.is_keyframe:  # the template's video packet must be a keyframe
                firsts.setdefault(i, packet)
            number = chunk_number(float(dts * tb) - origin)
            record = _RECORD.pack(
                pts, dts, packet.pos, packet.duration or 0, packet.size, _KEYFRAME if packet.is_keyframe else 0
            )
            buffers.setdefault((i, number), bytearray()).extend(record)
            count += 1
        if 0 not in firsts:
            raise ValueError("no keyframe in the video stream")
        if len(firsts) != len(kept):  # the template could not recreate a stream without packets
            raise ValueError("an audio stream has no packets")
        template = _template(kept, [firsts[i] for i in range(len(kept)) if i in firsts], _TEMPLATE_MUXERS[suffix])
    keyframes.sort()
    gaps = [b - a for a, b in itertools.pairwise(keyframes)]
    return BuiltIndex(
        streams=streams,
        origin=origin,
        frame_rate=Fraction(rate),
        keyframe_gap=max(gaps, default=0.0) + float(1 / Fraction(rate)),
        template=template,
        chunks={key: zlib.compress(bytes(data), 6) for key, data in buffers.items()},
        packets=count,
    )


def _clip_video_stream(container):
    """The video stream clips keep: the first one that is not cover art (as ``clips`` picks it)."""
    videos = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    return videos[0] if videos else None


def _template(streams, packets, muxer: str) -> bytes:
    """A file in the clip's container holding one packet per stream, to recreate the streams from."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=muxer) as out:
        copies = {}
        for stream in streams:
            copy = out.add_stream_from_template(stream)
            copy.codec_tag = stream.codec_tag
            copies[stream.index] = copy
        for packet in packets:
            packet.stream = copies[packet.stream.index]
            out.mux_one(packet)
    return buffer.getvalue()


def decode_chunk(data: bytes) -> list[IndexedPacket]:
    raw = zlib.decompress(data)
    return [IndexedPacket._make(record) for record in _RECORD.iter_unpack(raw)]


def chunk_number(seconds: float) -> int:
    """The chunk holding packets decoded at ``seconds`` from the origin."""
    return math.floor(seconds / CHUNK_SECONDS)


@dataclass(frozen=True)
class MasterIndex:
    """A stored packet index as ``downloads.clips`` reads it: facts about the master, and its chunks on demand.

    ``fetch(first, last)`` returns the chunks numbered ``first`` to ``last``
    (inclusive) of every stream, as (stream, number, compressed records), in
    one go. ``first_chunk``/``last_chunk`` are the numbers that exist.
    """

    streams: list[IndexedStream]
    origin: float
    frame_rate: Fraction
    keyframe_gap: float
    template: bytes
    first_chunk: int
    last_chunk: int
    fetch: Callable[[int, int], Iterable[tuple[int, int, bytes]]]

    def packets(self, first: float, last: float) -> tuple[list[list[IndexedPacket]], bool, bool]:
        """The packets of each stream decoded between about ``first`` and ``last`` seconds, in decode order.

        Also says whether they reach back to each stream's first packet and on to its last.
        """
        low = max(chunk_number(first), self.first_chunk)
        high = min(chunk_number(last), self.last_chunk)
        per_stream: list[list[IndexedPacket]] = [[] for _ in self.streams]
        for stream, _number, data in self.fetch(low, high):
            per_stream[stream].extend(decode_chunk(data))
        for packets in per_stream:
            packets.sort(key=lambda p: (p.dts, p.pos))
        return per_stream, low <= self.first_chunk, high >= self.last_chunk


def in_memory(built: BuiltIndex) -> MasterIndex:
    """A freshly built index as ``downloads.clips`` reads it, without storing it (benchmarks, tests)."""
    first_chunk, last_chunk = built.chunk_range

    def fetch(first: int, last: int):
        return [(s, n, data) for (s, n), data in built.chunks.items() if first <= n <= last]

    return MasterIndex(
        streams=built.streams,
        origin=built.origin,
        frame_rate=built.frame_rate,
        keyframe_gap=built.keyframe_gap,
        template=built.template,
        first_chunk=first_chunk,
        last_chunk=last_chunk,
        fetch=fetch,
    )
