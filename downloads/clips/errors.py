"""How cutting a clip fails (``ClipError``), and what ran when it did (``Run``)."""

from __future__ import annotations

from dataclasses import dataclass

from videos.media import FfmpegError

__all__ = ["ClipError", "Run"]


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
class Run:
    """What wrote a clip (ffmpeg's command line, or a description), and its stderr: what errors report."""

    cmd: list[str]
    stderr: str
