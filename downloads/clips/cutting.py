"""``cut_clip``: the way to cut for a mode and a master, then planning, writing and checking the clip."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from downloads.packet_index import MasterIndex
from videos.media import FfmpegError
from videos.media.ffmpeg import atomic_output, default_timeout

from .checking import check_clip
from .errors import ClipError
from .ffmpeg import copy_args, encode_args, run_ffmpeg
from .indexed import plan_from_index, write_from_index
from .planning import plan_from_master

__all__ = ["EXACT", "FAST", "MODES", "ClipCut", "clip_suffix", "cut_clip"]

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
        plan, selection = plan_from_index(index, start, end, network="://" in source)
    else:
        plan = plan_from_master(source, start, end, copy=copy)
    length = plan.out_point - plan.in_point
    if timeout is None:
        timeout = default_timeout(length, per_second=2.0 if copy else 10.0, minimum=120.0)
    try:
        with atomic_output(dest) as tmp:
            if indexed:
                run = write_from_index(source, tmp, index, selection, _COPY_MUXERS[suffix], timeout)
            elif copy:
                run = run_ffmpeg(copy_args(source, tmp, plan, _COPY_MUXERS[suffix]), timeout)
            else:
                run = run_ffmpeg(encode_args(source, tmp, plan), timeout, length, progress)
            check_clip(tmp, plan, run)
    except ClipError:
        raise
    except FfmpegError as exc:  # atomic_output: ffmpeg exited cleanly but wrote nothing
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
