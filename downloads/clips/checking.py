"""Checking what was written: a clip that is not what we would report is never published."""

from __future__ import annotations

import os
from pathlib import Path

import av

from .errors import ClipError, Run
from .planning import Plan


def check_clip(path: Path, plan: Plan, run: Run) -> None:
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
