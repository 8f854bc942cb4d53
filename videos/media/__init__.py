"""Media inspection and transcoding helpers for uploaded videos.

Pure Python on purpose: no model imports, so workers, management commands,
benchmarks and tests can use it without a database. Inspection uses PyAV (the
libav* libraries bundled in its wheel) rather than an ``ffprobe`` binary,
because no system ffmpeg/ffprobe is guaranteed on our hosts; transcoding shells
out to the ffmpeg binary from ``ffmpeg_binary()``.

- ``ffmpeg``: which ffmpeg to run, running it, writing its output atomically;
- ``probing``: what a file holds (``probe``), and refusing what is not a video;
- ``renditions``: the poster and the preview proxy of a master;
- ``synthetic``: real videos from ffmpeg's test sources, for tests, demos and benchmarks.
"""

from .ffmpeg import FfmpegError, default_timeout, ffmpeg_binary, run_ffmpeg
from .probing import MediaProbe, NotAVideo, probe
from .renditions import extract_poster, make_proxy
from .synthetic import generate_test_video

__all__ = [
    "FfmpegError",
    "MediaProbe",
    "NotAVideo",
    "default_timeout",
    "extract_poster",
    "ffmpeg_binary",
    "generate_test_video",
    "make_proxy",
    "probe",
    "run_ffmpeg",
]
