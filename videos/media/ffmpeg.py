"""The ffmpeg binary and running it: the one place a subprocess is started for posters, proxies and test material.

Also what every ffmpeg caller shares: writing to a temporary name moved into
place (``atomic_output``), a timeout that grows with the material
(``default_timeout``), and the duration from a file's headers.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import av

__all__ = ["FfmpegError", "atomic_output", "default_timeout", "ffmpeg_binary", "header_duration", "run_ffmpeg"]


def ffmpeg_binary() -> str:
    """Path of the ffmpeg executable to run.

    Order: ``settings.FFMPEG_BINARY`` (ops can pin a specific build), then an
    ``ffmpeg`` on PATH, then the static build shipped inside the imageio-ffmpeg
    wheel. The last step is what makes a plain ``pip install`` sufficient: no
    system ffmpeg is guaranteed on dev machines, CI or the app containers.
    """
    configured = None
    try:
        from django.conf import settings

        configured = getattr(settings, "FFMPEG_BINARY", None)
    except Exception:  # settings not configured (scripts, bare tests)
        configured = None
    if configured:
        return str(configured)
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    # Imported lazily: it is only needed when nothing better is available.
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


class FfmpegError(RuntimeError):
    """An ffmpeg run failed, timed out, or produced no output."""

    #: How much of stderr to keep: enough for the actual error lines, small
    #: enough to store in a task result or log record.
    STDERR_TAIL_CHARS = 4000

    def __init__(
        self,
        message: str,
        *,
        cmd: Sequence[str] | None = None,
        returncode: int | None = None,
        stderr: bytes | str | None = None,
    ) -> None:
        if isinstance(stderr, bytes):
            stderr = stderr.decode("utf-8", errors="replace")
        self.cmd = list(cmd) if cmd is not None else None
        self.returncode = returncode
        self.stderr = (stderr or "").strip()[-self.STDERR_TAIL_CHARS :]
        detail = f"{message} (exit code {returncode})" if returncode is not None else message
        if self.stderr:
            detail = f"{detail}:\n{self.stderr}"
        super().__init__(detail)


def run_ffmpeg(args: Sequence[str | os.PathLike[str]], timeout: float) -> None:
    """Run ffmpeg with ``args``; raise ``FfmpegError`` unless it exits cleanly.

    An argument list and never a shell, so user-controlled file names cannot
    inject anything. ``-nostdin`` (plus a closed stdin) stops ffmpeg from
    waiting on or eating a terminal/worker stdin; ``-loglevel error`` keeps the
    captured stderr small on hour-long jobs while still carrying the reason
    for a failure. ``-y`` is safe because callers only ever write to fresh
    temporary names.
    """
    cmd = [
        ffmpeg_binary(),
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-loglevel",
        "error",
        "-y",
        *(os.fspath(a) for a in args),
    ]
    try:
        proc = subprocess.run(  # noqa: S603 - fixed binary, argument list, no shell
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        # subprocess.run has already killed and reaped the child here.
        raise FfmpegError(f"ffmpeg timed out after {timeout:g} s", cmd=cmd, stderr=exc.stderr) from exc
    except OSError as exc:
        raise FfmpegError(f"could not start ffmpeg ({cmd[0]}): {exc}", cmd=cmd) from exc
    if proc.returncode != 0:
        raise FfmpegError("ffmpeg failed", cmd=cmd, returncode=proc.returncode, stderr=proc.stderr)


@contextmanager
def atomic_output(dest: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``dest``; move it onto ``dest`` on success.

    Same directory means same filesystem, so ``os.replace`` is atomic: readers
    (web server, storage sync) never see a half-written file, and a failed or
    timed-out run never clobbers a previous good rendition. The name is random
    rather than from mkstemp so ffmpeg creates the file itself with normal
    umask permissions (mkstemp would leave it 0600 after the rename).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.{secrets.token_hex(6)}.tmp{dest.suffix}")
    try:
        yield tmp
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise FfmpegError(f"ffmpeg produced no output for {dest.name}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def header_duration(path: str | os.PathLike[str]) -> float | None:
    """Duration from container headers only: cheap, unlike a full ``probe``."""
    try:
        with av.open(os.fspath(path), metadata_errors="replace") as container:
            if container.duration and container.duration > 0:
                return container.duration / av.time_base
            for stream in container.streams.video:
                if stream.duration and stream.time_base:
                    return float(stream.duration * stream.time_base)
    except Exception:  # callers fall back to a safe default
        return None
    return None


def default_timeout(duration: float | None, *, per_second: float, minimum: float) -> float:
    # Scale with the material so an hour-long master is not killed, but keep a
    # hard ceiling on every run so a wedged ffmpeg cannot hold a worker forever.
    return minimum + per_second * (duration or 0.0)
