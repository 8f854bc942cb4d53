"""Renditions of a master: its poster (a JPEG of a representative frame) and its preview proxy (small H.264)."""

from __future__ import annotations

import os
from pathlib import Path

from .ffmpeg import FfmpegError, atomic_output, default_timeout, header_duration, run_ffmpeg

__all__ = ["extract_poster", "make_proxy"]


def extract_poster(
    src_path: str | os.PathLike[str],
    dest_path: str | os.PathLike[str],
    at_seconds: float | None = None,
    *,
    timeout: float = 120.0,
) -> Path:
    """Write a JPEG of a representative frame of ``src_path`` to ``dest_path``.

    Defaults to 10% into the video: frame 0 of broadcast material is usually
    black, bars or a slate, which makes a useless thumbnail.
    """
    src, dest = Path(src_path), Path(dest_path)
    duration = header_duration(src)
    if at_seconds is None:
        at_seconds = 0.1 * duration if duration else 0.0
    # Stay clear of the end: seeking past the last frame yields no picture.
    upper = max(0.0, duration - 0.5) if duration else at_seconds
    at_seconds = min(max(0.0, float(at_seconds)), upper)

    with atomic_output(dest) as tmp:
        try:
            _write_poster(src, tmp, at_seconds, timeout)
        except FfmpegError:
            if at_seconds == 0:
                raise
            # Header durations can overstate the video (audio runs longer,
            # edit lists), leaving nothing to decode at the requested time.
            # The first frame beats no poster at all.
            _write_poster(src, tmp, 0.0, timeout)
    return dest


def _write_poster(src: Path, out: Path, at_seconds: float, timeout: float) -> None:
    run_ffmpeg(
        [
            # -ss before -i: fast keyframe seek, then exact decode up to the time.
            "-ss", f"{at_seconds:.3f}",
            "-i", src,
            "-map", "0:v:0",
            "-frames:v", "1",
            # Deinterlace only frames flagged interlaced (1080i masters would
            # show combing); square pixels (anamorphic SD/HDV would look
            # squashed); full range because the MJPEG encoder rejects limited.
            "-vf", "bwdif=mode=send_frame:deint=interlaced,"
                   "scale=w='trunc(ih*dar/2)*2':h=ih:out_range=full,setsar=1",
            "-c:v", "mjpeg",
            "-q:v", "3",
            "-f", "image2",
            "-update", "1",
            out,
        ],
        timeout,
    )  # fmt: skip


def make_proxy(
    src_path: str | os.PathLike[str],
    dest_path: str | os.PathLike[str],
    max_height: int = 360,
    *,
    timeout: float | None = None,
) -> Path:
    """Transcode ``src_path`` to a small H.264/AAC MP4 for in-browser preview.

    Never upscales; keeps the display aspect ratio with square pixels and even
    dimensions (required by yuv420p). Sources without audio give a proxy
    without audio.
    """
    if max_height < 2:
        raise ValueError("max_height must be at least 2")
    src, dest = Path(src_path), Path(dest_path)
    if timeout is None:
        timeout = default_timeout(header_duration(src), per_second=2.0, minimum=120.0)
    vf = ",".join(
        [
            # Broadcast masters are often interlaced (1080i50); scaling fields
            # as frames gives combing. deint=interlaced leaves progressive
            # frames untouched, so this costs nothing for them.
            "bwdif=mode=send_frame:deint=interlaced",
            f"scale=w='trunc(oh*dar/2)*2':h='trunc(min(ih,{int(max_height)})/2)*2'",
            "setsar=1",
            # 10-bit/4:2:2 masters (ProRes, DNxHR) would otherwise give High 4:2:2
            # H.264, which browsers cannot play.
            "format=yuv420p",
        ]
    )
    with atomic_output(dest) as tmp:
        run_ffmpeg(
            [
                "-i", src,
                "-map", "0:v:0",
                "-map", "0:a:0?",  # "?": audio is optional
                "-vf", vf,
                "-c:v", "libx264",
                "-preset", "veryfast",
                "-crf", "28",
                "-pix_fmt", "yuv420p",
                # A keyframe every 2 s whatever the frame rate, so scrubbing the
                # preview player stays responsive.
                "-force_key_frames", "expr:gte(t,n_forced*2)",
                "-c:a", "aac",
                "-b:a", "96k",
                "-ac", "2",  # multichannel broadcast audio -> stereo for browsers
                "-movflags", "+faststart",  # playback can start before download ends
                "-f", "mp4",
                tmp,
            ],
            timeout,
        )  # fmt: skip
    return dest
