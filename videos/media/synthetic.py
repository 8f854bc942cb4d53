"""Test material: real videos made from ffmpeg's synthetic sources (tests, the demo content, benchmarks)."""

from __future__ import annotations

import math
import os
import tempfile
from fractions import Fraction
from pathlib import Path

from .ffmpeg import atomic_output, default_timeout, run_ffmpeg

__all__ = ["generate_test_video"]


# Allowed output suffixes per codec (first one is the conventional choice).
_TEST_CONTAINERS = {
    "h264": (".mp4", ".mov", ".mkv"),
    "h264_intra": (".mp4", ".mov", ".mkv"),
    "prores": (".mov", ".mkv"),
    "dnxhd": (".mov", ".mxf"),
}
_MUXERS = {".mp4": "mp4", ".mov": "mov", ".mkv": "matroska", ".mxf": "mxf"}
_TEST_PATTERNS = ("testsrc2", "smptebars", "smptehdbars")


def generate_test_video(
    dest_path: str | os.PathLike[str],
    *,
    duration: float = 3.0,
    width: int = 320,
    height: int = 240,
    fps: float | str | Fraction = 25,
    codec: str = "h264",
    gop: int | None = None,
    audio: bool = True,
    pattern: str = "testsrc2",
    loop_segment: float | None = 10.0,
    timeout: float | None = None,
) -> Path:
    """Generate a real video from ffmpeg's synthetic sources.

    ``codec``: "h264" (long GOP, ``gop`` frames, default 2 s), "h264_intra",
    "prores" (ProRes 422 Proxy, .mov) or "dnxhd" (DNxHR LB, .mov or .mxf).
    The container follows the ``dest_path`` suffix. ``fps`` takes exact
    rates as strings, e.g. "30000/1001". Audio is a 1 kHz stereo tone: AAC
    for H.264, PCM for the mezzanine codecs, as real masters carry.

    Videos longer than two ``loop_segment``s are made by encoding one
    segment (a whole number of GOPs) and concatenating copies of it without
    re-encoding, plus an exact remainder. That makes an hour of 1080p take
    about as long as writing it to disk, instead of 20 minutes (x264) to
    two hours (prores_ks) of encoding on a small machine. Timestamps and GOP
    cadence stay regular; only the picture repeats. Pass
    ``loop_segment=None`` to encode every frame.
    """
    dest = Path(dest_path)
    if codec not in _TEST_CONTAINERS:
        raise ValueError(f"codec must be one of {sorted(_TEST_CONTAINERS)}, not {codec!r}")
    suffix = dest.suffix.lower()
    if suffix not in _TEST_CONTAINERS[codec]:
        allowed = ", ".join(_TEST_CONTAINERS[codec])
        raise ValueError(f"{codec} must be written to a {allowed} file, not {dest.name!r}")
    if pattern not in _TEST_PATTERNS:
        raise ValueError(f"pattern must be one of {_TEST_PATTERNS}, not {pattern!r}")
    rate = Fraction(fps) if not isinstance(fps, float) else Fraction(fps).limit_denominator(1001)
    if duration <= 0 or width <= 0 or height <= 0 or rate <= 0:
        raise ValueError("duration, width, height and fps must be positive")
    if codec.startswith("h264") and (width % 2 or height % 2):
        raise ValueError("H.264 in yuv420p needs even width and height")
    if codec == "dnxhd" and (width < 256 or height < 120):
        # Classic DNxHD only allows fixed broadcast sizes/bitrates (e.g. 1920x1080
        # at 36/115/175 Mb/s); DNxHR is resolution independent but the encoder
        # still refuses anything below 256x120.
        raise ValueError("DNxHR needs at least 256x120")
    if gop is not None and (codec != "h264" or gop < 1):
        raise ValueError("gop is a positive frame count and only applies to codec='h264'")

    gop_frames = (gop or max(1, round(2 * rate))) if codec == "h264" else 1
    total_frames = max(1, round(duration * rate))
    exact_duration = total_frames / rate
    if timeout is None:
        timeout = default_timeout(float(exact_duration), per_second=4.0, minimum=120.0)

    rate_str = f"{rate.numerator}/{rate.denominator}"
    video_source = f"{pattern}=size={width}x{height}:rate={rate_str}"
    audio_source = f"sine=frequency=1000:sample_rate=48000:duration={float(exact_duration):.6f}"
    video_codec_args = _test_video_codec_args(codec, gop_frames)
    audio_codec_args = ["-c:a", "aac", "-b:a", "128k"] if codec.startswith("h264") else ["-c:a", "pcm_s16le"]
    mux_args = ["-f", _MUXERS[suffix]]
    if suffix == ".mp4":
        mux_args = ["-movflags", "+faststart", *mux_args]

    def audio_args(input_index: int) -> list[str]:
        if not audio:
            return []
        # 48 kHz: broadcast standard, and the only rate the MXF muxer accepts.
        return ["-map", f"{input_index}:a", *audio_codec_args, "-ac", "2"]

    seg_frames = 0
    if loop_segment:
        seg_frames = math.ceil(loop_segment * rate / gop_frames) * gop_frames
    with atomic_output(dest) as tmp:
        if not seg_frames or total_frames <= 2 * seg_frames:
            run_ffmpeg(
                [
                    "-f", "lavfi", "-i", video_source,
                    *(["-f", "lavfi", "-i", audio_source] if audio else []),
                    "-map", "0:v",
                    "-frames:v", str(total_frames),
                    *video_codec_args,
                    *audio_args(1),
                    *mux_args,
                    tmp,
                ],
                timeout,
            )  # fmt: skip
            return dest

        full, remainder = divmod(total_frames, seg_frames)
        # Work files next to the destination: same filesystem for the big copy.
        with tempfile.TemporaryDirectory(prefix=".gen-", dir=dest.parent) as work_dir:
            work = Path(work_dir)
            pieces = [("seg" + suffix, seg_frames)]
            if remainder:
                pieces.append(("rem" + suffix, remainder))
            for name, frames in pieces:
                # Video only: concatenating AAC segments would repeat the
                # encoder priming and break audio timestamps, so the audio is
                # encoded in one piece below.
                run_ffmpeg(
                    [
                        "-f", "lavfi", "-i", video_source,
                        "-frames:v", str(frames),
                        *video_codec_args,
                        "-f", _MUXERS[suffix],
                        work / name,
                    ],
                    timeout,
                )  # fmt: skip
            playlist = work / "list.txt"
            lines = [f"file '{pieces[0][0]}'"] * full
            if remainder:
                lines.append(f"file '{pieces[1][0]}'")
            playlist.write_text("\n".join(lines) + "\n")
            run_ffmpeg(
                [
                    "-f", "concat", "-i", playlist,
                    *(["-f", "lavfi", "-i", audio_source] if audio else []),
                    "-map", "0:v",
                    "-c:v", "copy",
                    *audio_args(1),
                    *mux_args,
                    tmp,
                ],
                timeout,
            )  # fmt: skip
    return dest


def _test_video_codec_args(codec: str, gop_frames: int) -> list[str]:
    if codec == "h264":
        # veryfast keeps B-frames and CABAC (a realistic High-profile stream)
        # while encoding several times faster than the default preset.
        # sc_threshold 0 disables scene-cut keyframes so the GOP is exactly
        # gop_frames, which tests and benchmarks rely on.
        return [
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-g", str(gop_frames), "-sc_threshold", "0",
        ]  # fmt: skip
    if codec == "h264_intra":
        return ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "1"]
    if codec == "prores":
        # Profile 0 = ProRes 422 Proxy, the cheapest flavour; apl0 vendor tag
        # so Apple tools treat the file as genuine.
        return [
            "-c:v", "prores_ks", "-profile:v", "0", "-vendor", "apl0",
            "-pix_fmt", "yuv422p10le",
        ]  # fmt: skip
    # DNxHR LB: resolution independent, unlike classic DNxHD profiles.
    return ["-c:v", "dnxhd", "-profile:v", "dnxhr_lb", "-pix_fmt", "yuv422p"]
