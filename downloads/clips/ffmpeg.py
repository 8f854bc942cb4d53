"""Clips cut by ffmpeg: the arguments of a stream copy or a re-encode, and running it with progress."""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from videos.media import ffmpeg_binary

from .errors import ClipError, Run
from .planning import NETWORK_TIMEOUT, Plan

# Re-encoding: x264's "faster" preset at CRF 18. Measured on a 1080p25 clip
# on our 2-core machine: "veryfast" encodes 1.7 times as fast but scores 1.6 dB
# lower PSNR (1.2 dB SSIM) at the same file size, as it drops trellis
# quantisation and most of the motion search; "medium" (x264's default) adds
# only 0.8 dB for 1.45 times the time. These clips are for broadcast
# professionals, so quality comes first, but the editor waits for the job:
# "faster" is the knee of that curve. CRF 18 is visually lossless.
X264_PRESET = "faster"
X264_CRF = "18"
AAC_BITRATE = "192k"


def _input_args(source: str, plan: Plan, seek: float) -> list[str]:
    # Network reads that stall for this long fail instead of waiting for the job timeout.
    network = ["-rw_timeout", str(int(NETWORK_TIMEOUT * 1_000_000))] if plan.network else []
    # -ss before -i: the demuxer seeks (by index, or HTTP range) instead of reading from the start.
    return [*network, "-ss", f"{seek:.6f}", "-i", source]


def copy_args(source: str, out: Path, plan: Plan, muxer: str) -> list[str]:
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
    # planning._clean_cut), so the video instead stops after the counted packets of the
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


def encode_args(source: str, out: Path, plan: Plan) -> list[str]:
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
        "-c:v", "libx264", "-preset", X264_PRESET, "-crf", X264_CRF,
        "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-fps_mode", "cfr", "-r", rate,
        # Closed GOPs of one second: every keyframe is a clean cut point for
        # whoever edits the clip next, and scrubbing stays responsive.
        "-g", str(max(1, round(plan.rate))), "-flags", "+cgop",
        "-c:a", "aac", "-b:a", AAC_BITRATE, "-ar", "48000", "-ac", "2",
        "-movflags", "+faststart",
        "-f", "mp4",
        out,
    ]  # fmt: skip


def run_ffmpeg(
    args: Sequence[str | os.PathLike[str]],
    timeout: float,
    length: float = 0.0,
    progress: Callable[[float], None] | None = None,
) -> Run:
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
    return Run(cmd, stderr)
