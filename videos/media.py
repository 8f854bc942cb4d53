"""Media inspection and transcoding helpers for uploaded videos.

Pure Python on purpose: no model imports, so workers, management commands,
benchmarks and tests can use it without a database. Inspection uses PyAV (the
libav* libraries bundled in its wheel) rather than an ``ffprobe`` binary,
because no system ffmpeg/ffprobe is guaranteed on our hosts; transcoding shells
out to the ffmpeg binary from ``ffmpeg_binary()``.
"""

from __future__ import annotations

import itertools
import math
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
from django.utils.translation import gettext_lazy as _

__all__ = [
    "FfmpegError",
    "MediaProbe",
    "NotAVideo",
    "extract_poster",
    "ffmpeg_binary",
    "generate_test_video",
    "make_proxy",
    "probe",
    "run_ffmpeg",
]


# --------------------------------------------------------------------------- #
# ffmpeg binary and subprocess helper
# --------------------------------------------------------------------------- #


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
def _atomic_output(dest: Path) -> Iterator[Path]:
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


def _header_duration(path: str | os.PathLike[str]) -> float | None:
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


def _default_timeout(duration: float | None, *, per_second: float, minimum: float) -> float:
    # Scale with the material so an hour-long master is not killed, but keep a
    # hard ceiling on every run so a wedged ffmpeg cannot hold a worker forever.
    return minimum + per_second * (duration or 0.0)


# --------------------------------------------------------------------------- #
# probe
# --------------------------------------------------------------------------- #


class NotAVideo(ValueError):
    """The file is not a video we can ingest.

    ``code`` is a stable machine string (for API responses, form errors and
    metrics); ``message`` is a lazily translated, user-facing sentence, ready
    for ``ValidationError(exc.message, code=exc.code)``.
    """

    UNREADABLE = "unreadable"
    NO_VIDEO_STREAM = "no_video_stream"
    NOT_A_VIDEO_CONTAINER = "not_a_video_container"
    NO_DURATION = "no_duration"
    UNDECODABLE = "undecodable"

    DEFAULT_MESSAGES = {
        UNREADABLE: _("This file is not a video we can read."),
        NO_VIDEO_STREAM: _("This file has no video track."),
        NOT_A_VIDEO_CONTAINER: _("This file type is not supported. Upload MP4, MOV, MXF, MKV, AVI or MPEG-TS video."),
        NO_DURATION: _("This file has no playable duration. Is it a still image?"),
        UNDECODABLE: _("The video in this file cannot be decoded."),
    }

    def __init__(self, code: str, message=None) -> None:
        self.code = code
        self.message = message if message is not None else self.DEFAULT_MESSAGES[code]
        super().__init__(self.message)

    def __str__(self) -> str:
        # Rendering a lazy message needs configured settings and, with i18n on,
        # a ready app registry. Logging this error from a bare script must not
        # blow up, so fall back to the machine code.
        from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured

        try:
            return str(self.message)
        except (ImproperlyConfigured, AppRegistryNotReady):
            return self.code


_EMPTY_FILE = _("The file is empty.")
_TRUNCATED = _("This video file is incomplete or damaged. Please upload it again.")

# Demuxers we accept, by the token(s) in ffmpeg's demuxer name. A whitelist
# rather than a blacklist because libavformat happily "opens" far more than
# video: still images (image2, png_pipe, jpeg_pipe, webp_pipe), animated GIFs,
# text (tty), raw elementary streams (h264, mpegvideo) without reliable
# timing. New ffmpeg releases add demuxers, and each would otherwise slip
# through silently. Matching tokens instead of the full comma-joined name keeps
# us stable if ffmpeg adds an alias to e.g. "mov,mp4,m4a,3gp,3g2,mj2".
VIDEO_CONTAINER_TOKENS = frozenset({"mov", "mp4", "matroska", "webm", "mxf", "avi", "mpegts", "mpeg"})

# Frames to feed the decoder while waiting for the first picture. Decoders
# legitimately buffer (B-frame reordering, frame threads, open-GOP streams
# that start on a non-keyframe), but a stream that yields nothing after this
# many packets is broken, and we must not decode an hour of it to find out.
_FIRST_FRAME_PACKET_BUDGET = 120


@dataclass(frozen=True, slots=True)
class MediaProbe:
    container: str  # ffmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    duration: float  # seconds
    width: int
    height: int
    frame_rate: float
    frame_rate_exact: str  # exact, e.g. "25/1" or "30000/1001"
    video_codec: str  # e.g. "h264", "prores", "dnxhd"
    video_profile: str | None  # e.g. "High", "Proxy", "DNXHR LB"
    pixel_format: str | None  # e.g. "yuv420p", "yuv422p10le"
    audio_codec: str | None  # None when there is no audio track
    audio_channels: int | None
    audio_sample_rate: int | None
    bit_rate: int | None  # overall, bits/s
    frame_count: int  # video packets actually demuxed
    keyframe_count: int
    all_intra: bool  # every frame is a keyframe (ProRes, DNxHD, intra H.264)
    keyframe_interval: float  # longest GOP in seconds; 0.0 when all-intra

    def as_dict(self) -> dict:
        return asdict(self)


def probe(path: str | os.PathLike[str]) -> MediaProbe:
    """Inspect a media file and return its technical metadata.

    Raises ``NotAVideo`` for any content we cannot ingest. A missing or
    unreadable *path* (``FileNotFoundError``, ``PermissionError``) is a server
    problem, not bad content, so it propagates unchanged.
    """
    path = os.fspath(path)
    if os.stat(path).st_size == 0:
        raise NotAVideo(NotAVideo.UNREADABLE, _EMPTY_FILE)
    try:
        # "replace": files from cameras and NLEs often carry non-UTF-8 tags,
        # which must not make an otherwise fine video unreadable.
        container = av.open(path, metadata_errors="replace")
    except Exception as exc:  # anything libavformat rejects is bad input
        raise NotAVideo(NotAVideo.UNREADABLE) from exc
    with container:
        try:
            return _probe_container(container)
        except NotAVideo:
            raise
        except Exception as exc:
            # Hostile or damaged input makes PyAV fail in many ways (FFmpegError
            # subclasses, but also AttributeError on half-initialised streams);
            # the contract is that bad input only ever surfaces as NotAVideo.
            raise NotAVideo(NotAVideo.UNREADABLE) from exc


def _probe_container(container) -> MediaProbe:
    # Cover art in audio files shows up as a one-frame "video" stream.
    video_streams = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    if not video_streams:
        raise NotAVideo(NotAVideo.NO_VIDEO_STREAM)
    vstream = video_streams[0]

    fmt = container.format.name
    if not VIDEO_CONTAINER_TOKENS.intersection(fmt.split(",")):
        raise NotAVideo(NotAVideo.NOT_A_VIDEO_CONTAINER)

    # Header duration only. Deliberately no fallback to the demuxed packet
    # span: HEIC/AVIF photos open with the mov demuxer and would then pass as
    # one-second videos.
    duration = None
    if container.duration and container.duration > 0:
        duration = container.duration / av.time_base
    elif vstream.duration and vstream.time_base:
        duration = float(vstream.duration * vstream.time_base)
    if not duration or duration <= 0 or not math.isfinite(duration):
        raise NotAVideo(NotAVideo.NO_DURATION)

    codec_context = vstream.codec_context
    if codec_context is None:  # no decoder for this codec in our libav build
        raise NotAVideo(NotAVideo.UNDECODABLE)

    # For indexed containers (MP4/MOV, MXF, AVI) the index says how many
    # packets exist. Reading fewer means the file was cut short: libavformat
    # just stops at EOF without an error when the cut falls on a packet
    # boundary, and the moov-at-front MP4s we produce still open fine after
    # truncation. Demuxers that index lazily or list keyframes only
    # (Matroska cues, MPEG-PS/TS) never report more entries than packets, so
    # the comparison cannot fire falsely there.
    indexed_packets = len(vstream.index_entries)

    tb = vstream.time_base
    frame_count = 0
    keyframe_ts: list[int] = []
    end_ts: int | None = None
    damaged = False
    first_frame = None
    decode_error: Exception | None = None
    fed = 0

    # Demux only, no decoding: packet flags give keyframes at disk speed, while
    # decoding an hour of 1080p would take minutes. Only the first frame gets
    # decoded, to prove the stream is actually playable.
    for packet in container.demux(vstream):
        if packet.size == 0:  # PyAV's end-of-stream flush packet
            continue
        frame_count += 1
        if packet.is_corrupt:  # libavformat flags short reads (truncated file)
            damaged = True
        ts = packet.pts if packet.pts is not None else packet.dts
        if ts is not None:
            if packet.is_keyframe:
                keyframe_ts.append(ts)
            end = ts + (packet.duration or 0)
            end_ts = end if end_ts is None else max(end_ts, end)
        elif packet.is_keyframe:
            keyframe_ts.append(None)  # counted, but no timing

        if first_frame is None and fed < _FIRST_FRAME_PACKET_BUDGET:
            fed += 1
            try:
                frames = codec_context.decode(packet)
            except Exception as exc:  # keep trying later packets
                decode_error = exc
                frames = []
            if frames:
                first_frame = frames[0]
                # No more decoding: release decoder threads and buffers early.
                codec_context.flush_buffers()

    if first_frame is None and fed:
        try:  # short clips may only emit their frame when the decoder drains
            frames = codec_context.decode(None)
            first_frame = frames[0] if frames else None
        except Exception as exc:
            decode_error = exc

    if damaged or frame_count < indexed_packets:
        raise NotAVideo(NotAVideo.UNREADABLE, _TRUNCATED)
    if first_frame is None:
        raise NotAVideo(NotAVideo.UNDECODABLE) from decode_error

    keyframe_count = len(keyframe_ts)
    all_intra = frame_count > 0 and keyframe_count == frame_count
    keyframe_interval = 0.0
    if not all_intra:
        # Longest GOP, including the last one (up to the end of the stream):
        # that is the worst case for seeking/cutting, and it stays meaningful
        # for a file with a single keyframe.
        times = sorted(t for t in keyframe_ts if t is not None)
        if times and end_ts is not None:
            bounds = [*times, max(end_ts, times[-1])]
            keyframe_interval = float(max(b - a for a, b in itertools.pairwise(bounds)) * tb)
        else:
            keyframe_interval = duration

    rate = _stream_rate(vstream, frame_count, duration)
    width = codec_context.width or first_frame.width
    height = codec_context.height or first_frame.height
    pixel_format = codec_context.pix_fmt or first_frame.format.name

    audio_codec = audio_channels = audio_sample_rate = None
    if container.streams.audio:
        actx = container.streams.audio[0].codec_context
        if actx is not None:
            audio_codec = actx.codec.canonical_name
            audio_channels = actx.layout.nb_channels or None
            audio_sample_rate = actx.sample_rate or None

    # Codec names are canonical_name (what ffprobe calls codec_name), not the
    # decoder PyAV picked: "mp3" rather than "mp3float", "av1" rather than
    # "libdav1d", so stored values do not change with the libav build.
    return MediaProbe(
        container=fmt,
        duration=duration,
        width=width,
        height=height,
        frame_rate=float(rate),
        frame_rate_exact=f"{rate.numerator}/{rate.denominator}",
        video_codec=codec_context.codec.canonical_name,
        video_profile=codec_context.profile or None,
        pixel_format=pixel_format,
        audio_codec=audio_codec,
        audio_channels=audio_channels,
        audio_sample_rate=audio_sample_rate,
        bit_rate=container.bit_rate or None,
        frame_count=frame_count,
        keyframe_count=keyframe_count,
        all_intra=all_intra,
        keyframe_interval=keyframe_interval,
    )


def _stream_rate(vstream, frame_count: int, duration: float) -> Fraction:
    # average_rate is what the stream actually delivers and is exact for the
    # constant-rate material broadcast deals in (30000/1001 stays 30000/1001);
    # guessed_rate is ffmpeg's own fallback when the container lacks it.
    for rate in (vstream.average_rate, vstream.guessed_rate, vstream.base_rate):
        if rate:
            return Fraction(rate)
    return Fraction(frame_count / duration).limit_denominator(1001) if duration else Fraction(0)


# --------------------------------------------------------------------------- #
# Poster and proxy
# --------------------------------------------------------------------------- #


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
    duration = _header_duration(src)
    if at_seconds is None:
        at_seconds = 0.1 * duration if duration else 0.0
    # Stay clear of the end: seeking past the last frame yields no picture.
    upper = max(0.0, duration - 0.5) if duration else at_seconds
    at_seconds = min(max(0.0, float(at_seconds)), upper)

    with _atomic_output(dest) as tmp:
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
        timeout = _default_timeout(_header_duration(src), per_second=2.0, minimum=120.0)
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
    with _atomic_output(dest) as tmp:
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


# --------------------------------------------------------------------------- #
# Test material
# --------------------------------------------------------------------------- #

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
        timeout = _default_timeout(float(exact_duration), per_second=4.0, minimum=120.0)

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
    with _atomic_output(dest) as tmp:
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
