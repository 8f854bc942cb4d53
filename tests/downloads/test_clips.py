"""downloads.clips against real masters generated with the bundled ffmpeg, read back with PyAV.

No database needed. Masters are small (320x240, 25 fps, 8 to 20 s) and generated
once per session (``generated_video_path``); each test cuts a few seconds.
Frames are compared on their luma: a clip's first and last frames must match
the master's frames at the reported in and out points, and differ clearly from
frames a second away.
"""

import os
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops, ImageStat

from downloads.clips import EXACT, FAST, ClipCut, ClipError, clip_suffix, cut_clip
from tests.conftest import generated_video_path
from videos import media

FRAME = 1 / 25


@pytest.fixture(scope="module")
def long_gop(tmp_path_factory):
    """H.264 with B-frames, a keyframe every second (25 frames)."""
    return generated_video_path(tmp_path_factory, codec="h264", duration=12.0, gop=25)


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    """Intra-only masters by name; the MXF one is made here (the shared helper writes DNxHR to .mov)."""
    folder = tmp_path_factory.mktemp("intra")
    return {
        "prores.mov": generated_video_path(tmp_path_factory, codec="prores", duration=8.0),
        "dnxhd.mov": generated_video_path(tmp_path_factory, codec="dnxhd", duration=8.0),
        "dnxhd.mxf": media.generate_test_video(folder / "dnxhd.mxf", codec="dnxhd", duration=8.0),
        "h264_intra.mp4": generated_video_path(tmp_path_factory, codec="h264_intra", duration=8.0),
    }


# --------------------------------------------------------------------------- #
# Reading clips back
# --------------------------------------------------------------------------- #


def video_packets(path) -> list[tuple[float, bool]]:
    """(pts in seconds, keyframe) of every video packet, in decode order."""
    with av.open(os.fspath(path)) as container:
        stream = container.streams.video[0]
        return [(float(p.pts * stream.time_base), p.is_keyframe) for p in container.demux(stream) if p.size]


def shown_length(path) -> float:
    """Seconds of video the file shows: first frame's start to last frame's end."""
    with av.open(os.fspath(path)) as container:
        stream = container.streams.video[0]
        packets = [p for p in container.demux(stream) if p.size]
        first = min(p.pts for p in packets)
        last = max(p.pts + p.duration for p in packets)
        return float((last - first) * stream.time_base)


def decoded_frames(path) -> list:
    """Every frame of a (short) clip in display order, as greyscale images."""
    with av.open(os.fspath(path)) as container:
        frames = sorted(container.decode(video=0), key=lambda frame: frame.pts)
        return [luma(frame) for frame in frames]


def master_frame_at(path, seconds: float):
    """The master's frame showing at ``seconds``, as a greyscale image."""
    with av.open(os.fspath(path)) as container:
        stream = container.streams.video[0]
        # A second early: MP4 seeks by decode time, which can land on a keyframe showing after `seconds`.
        container.seek(int(max(0.0, seconds - 1.0) / stream.time_base), stream=stream)
        shown = None
        for frame in container.decode(stream):
            if frame.time > seconds + 1e-6:
                if shown is not None:
                    break
                continue
            shown = frame
        return luma(shown)


def luma(frame) -> Image.Image:
    """The frame's Y plane at 8 bits, untouched when it is 8-bit already.

    Not through RGB or swscale's gray: both depend on the colour tags, which a
    re-encoded clip sets (BT.709, limited range) where the generated masters
    leave them unset. 10-bit frames (ProRes) are only compared with copies of
    themselves, whose tags are the same.
    """
    if frame.format.name not in ("yuv420p", "yuv422p", "yuv444p"):
        frame = frame.reformat(format="gray")
    plane = frame.planes[0]
    return Image.frombuffer("L", (frame.width, frame.height), bytes(plane), "raw", "L", plane.line_size, 1)


def difference(a, b) -> float:
    """Mean absolute difference of two greyscale images, 0 to 255."""
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def assert_same_picture(clip_frame, master, seconds: float, *, tolerance: float) -> None:
    """``clip_frame`` is the master's frame at ``seconds``: closer to it than to its neighbours, and
    clearly not the frame a second later."""
    same = difference(clip_frame, master_frame_at(master, seconds))
    assert same <= tolerance
    for neighbour in (seconds - FRAME, seconds + FRAME):
        if neighbour >= 0:
            assert difference(clip_frame, master_frame_at(master, neighbour)) > same
    assert difference(clip_frame, master_frame_at(master, seconds + 1.0)) > max(5.0, 3 * tolerance)


def assert_clean_copy(dest, master, cut) -> None:
    """``dest`` holds the master's frames from ``cut.start`` to ``cut.end``: it starts on a keyframe, no frame shows
    before it, every frame decodes (no missing references at either end) and none is missing."""
    packets = video_packets(dest)
    assert packets[0][1], "the first video packet must be a keyframe"
    assert min(pts for pts, _ in packets) == packets[0][0], "no frame may show before the keyframe"
    frames = decoded_frames(dest)
    assert len(frames) == round((cut.end - cut.start) * 25)
    assert_same_picture(frames[0], master, cut.start, tolerance=0.5)
    assert_same_picture(frames[-1], master, cut.end - FRAME, tolerance=0.5)


def leftovers(folder: Path, dest: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p != dest)


# --------------------------------------------------------------------------- #
# Long-GOP masters
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def long_gop_in(long_gop, tmp_path_factory):
    """The long-GOP master in another container: MOV indexes every frame like MP4, Matroska only keyframes."""
    folder = tmp_path_factory.mktemp("containers")

    def make(suffix):
        if suffix == ".mp4":
            return long_gop
        path = folder / f"master{suffix}"
        if not path.exists():
            media.generate_test_video(path, codec="h264", duration=12.0, gop=25)
        return path

    return make


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_fast_clip_of_a_long_gop_master_starts_on_the_keyframe_at_or_before_start(long_gop_in, tmp_path, suffix):
    master = long_gop_in(suffix)
    dest = tmp_path / f"clip{suffix}"
    cut = cut_clip(master, dest, start=2.3, end=5.7, mode=FAST, all_intra=False, duration=12.0)

    assert cut.start == 2.0
    # The out point is the first clean cut at or after 5.7 (B-frames may push it a few frames on).
    assert 5.7 <= cut.end <= 5.7 + 4 * FRAME
    assert cut.stream_copied
    assert cut.suffix == suffix
    assert shown_length(dest) == pytest.approx(cut.end - cut.start, abs=FRAME / 2)
    assert_clean_copy(dest, master, cut)
    with av.open(os.fspath(dest)) as clip:
        assert clip.streams.video[0].codec_context.name == "h264"
        assert clip.streams.audio[0].codec_context.name == "aac"


def test_fast_clip_starting_on_a_keyframe_starts_there(long_gop, tmp_path):
    cut = cut_clip(long_gop, tmp_path / "clip.mp4", start=3.0, end=4.0, mode=FAST, all_intra=False, duration=12.0)
    assert cut.start == 3.0
    assert 4.0 <= cut.end <= 4.0 + 4 * FRAME


def test_fast_clip_to_the_end_of_the_master(long_gop, tmp_path):
    dest = tmp_path / "clip.mp4"
    cut = cut_clip(long_gop, dest, start=10.5, end=12.0, mode=FAST, all_intra=False, duration=12.0)
    assert (cut.start, cut.end) == (10.0, 12.0)
    assert len(decoded_frames(dest)) == 50


def test_fast_clip_of_an_open_gop_master_drops_the_leading_frames(open_gop, tmp_path):
    # Open GOPs: the B-frames after a keyframe in decode order show before it
    # and reference the previous GOP. Copied, they would show broken.
    master = open_gop
    with av.open(os.fspath(master)) as container:
        stream = container.streams.video[0]
        packets = [(float(p.pts * stream.time_base), p.is_keyframe) for p in container.demux(stream) if p.size]
    keyframe_index = next(i for i, (pts, key) in enumerate(packets) if key and 1.9 < pts <= 2.3)
    keyframe = packets[keyframe_index][0]
    assert any(pts < keyframe for pts, _ in packets[keyframe_index + 1 :]), "the master must have leading frames"

    dest = tmp_path / "clip.mp4"
    cut = cut_clip(master, dest, start=2.3, end=5.7, mode=FAST, all_intra=False, duration=8.0)

    assert cut.start == pytest.approx(keyframe)
    assert_clean_copy(dest, master, cut)


def test_fast_clip_of_a_long_gop_mxf_master_is_a_quicktime_file(tmp_path_factory, tmp_path):
    # XDCAM HD422-like: MPEG-2 4:2:2, open GOPs of 12 frames with B-frames, PCM audio, in MXF.
    master = tmp_path_factory.mktemp("xdcam") / "master.mxf"
    media.run_ffmpeg(
        [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000",
            "-t", "8", "-c:v", "mpeg2video", "-pix_fmt", "yuv422p", "-g", "12", "-bf", "2", "-q:v", "2",
            "-c:a", "pcm_s16le", "-ac", "1", master,
        ],
        timeout=60,
    )  # fmt: skip
    suffix = clip_suffix(master.name, FAST, all_intra=False)
    assert suffix == ".mov"
    dest = tmp_path / f"clip{suffix}"

    cut = cut_clip(master, dest, start=2.3, end=5.7, mode=FAST, all_intra=False, duration=8.0)

    assert cut.start <= 2.3 < 5.7 <= cut.end
    assert_clean_copy(dest, master, cut)


def test_exact_clip_is_re_encoded_from_the_frame_showing_at_start(long_gop, tmp_path):
    dest = tmp_path / "clip.mp4"
    reported = []
    cut = cut_clip(
        long_gop, dest, start=2.3, end=9.7, mode=EXACT, all_intra=False, duration=12.0, progress=reported.append
    )

    # 2.3 s falls within the frame shown from 2.28 s; 9.7 s within the one up to 9.72 s.
    assert cut == ClipCut(start=pytest.approx(2.28), end=pytest.approx(9.72), stream_copied=False, suffix=".mp4")
    assert shown_length(dest) == pytest.approx(cut.end - cut.start, abs=FRAME / 2)
    frames = decoded_frames(dest)
    assert len(frames) == 186
    # Re-encoded at CRF 18: close to, not equal to, the master's pictures.
    assert_same_picture(frames[0], long_gop, 2.3, tolerance=1.0)
    assert_same_picture(frames[-1], long_gop, 9.7, tolerance=1.0)

    with av.open(os.fspath(dest)) as clip:
        video, audio = clip.streams.video[0], clip.streams.audio[0]
        assert (video.codec_context.name, video.codec_context.profile) == ("h264", "High")
        assert video.codec_context.pix_fmt == "yuv420p"
        assert video.average_rate == 25
        bt709 = 1  # AVCOL_PRI_BT709, AVCOL_TRC_BT709, AVCOL_SPC_BT709
        assert (video.codec_context.color_primaries, video.codec_context.color_trc) == (bt709, bt709)
        assert video.codec_context.colorspace == bt709
        assert (audio.codec_context.name, audio.rate, audio.channels) == ("aac", 48000, 2)
        # Closed GOPs: every keyframe after the first is a clean cut point again.
        assert all(pts >= key for key, pts in _keyframes_and_following(clip))
        assert float(audio.duration * audio.time_base) == pytest.approx(cut.end - cut.start, abs=0.05)
    head = dest.read_bytes()[:4096]
    assert b"moov" in head, "faststart: the index comes before the media data"

    assert len(reported) >= 2
    assert reported == sorted(set(reported)), "progress only goes up"
    assert all(0 <= value <= 100 for value in reported)
    assert reported[-1] == 100


def _keyframes_and_following(container):
    stream = container.streams.video[0]
    container.seek(0)
    key = None
    for packet in container.demux(stream):
        if not packet.size:
            continue
        if packet.is_keyframe:
            key = packet.pts
        yield key, packet.pts


def test_exact_clip_on_frame_boundaries_keeps_them(long_gop, tmp_path):
    cut = cut_clip(long_gop, tmp_path / "clip.mp4", start=1.0, end=1.4, mode=EXACT, all_intra=False, duration=12.0)
    assert (cut.start, cut.end) == (pytest.approx(1.0), pytest.approx(1.4))
    assert len(decoded_frames(tmp_path / "clip.mp4")) == 10


# --------------------------------------------------------------------------- #
# Intra-only masters
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", ["prores.mov", "dnxhd.mxf", "dnxhd.mov", "h264_intra.mp4"])
@pytest.mark.parametrize("mode", [FAST, EXACT])
def test_intra_only_masters_are_stream_copied_frame_exactly(masters, name, mode, tmp_path):
    master = masters[name]
    suffix = clip_suffix(name, mode, all_intra=True)
    assert suffix == Path(name).suffix
    dest = tmp_path / f"clip{suffix}"

    cut = cut_clip(master, dest, start=2.3, end=5.7, mode=mode, all_intra=True, duration=8.0)

    assert cut == ClipCut(start=pytest.approx(2.28), end=pytest.approx(5.72), stream_copied=True, suffix=suffix)
    assert shown_length(dest) == pytest.approx(cut.end - cut.start, abs=FRAME / 2)
    with av.open(os.fspath(master)) as source, av.open(os.fspath(dest)) as clip:
        assert clip.format.name == source.format.name
        assert clip.streams.video[0].codec_context.name == source.streams.video[0].codec_context.name
        assert clip.streams.audio[0].codec_context.name == source.streams.audio[0].codec_context.name
    frames = decoded_frames(dest)
    assert len(frames) == 86
    # Copied: the very same pictures.
    assert_same_picture(frames[0], master, 2.28, tolerance=0)
    assert_same_picture(frames[-1], master, 5.68, tolerance=0)


def test_intra_cut_takes_millisecond_timecodes_at_ntsc_rates_as_meant(tmp_path_factory, tmp_path):
    # At 30000/1001 fps frame 30 starts at 1.001001 s: "00:00:01.001" means it, not frame 29.
    master = generated_video_path(tmp_path_factory, codec="h264_intra", duration=4.0, fps="30000/1001")
    cut = cut_clip(master, tmp_path / "clip.mp4", start=1.001, end=2.002, mode=FAST, all_intra=True, duration=4.0)
    frame = Fraction(1001, 30000)
    assert cut.start == pytest.approx(float(30 * frame), abs=1e-6)
    assert cut.end == pytest.approx(float(60 * frame), abs=1e-6)
    assert len(decoded_frames(tmp_path / "clip.mp4")) == 30


# --------------------------------------------------------------------------- #
# Containers and arguments
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("name", "mode", "all_intra", "suffix"),
    [
        ("masters/interview.mov", FAST, False, ".mov"),
        ("masters/interview.MXF", FAST, True, ".mxf"),
        ("masters/xdcam.mxf", FAST, False, ".mov"),
        ("masters/xdcam.mxf", EXACT, False, ".mp4"),
        ("masters/interview.mp4", EXACT, False, ".mp4"),
        ("masters/interview.mov", EXACT, False, ".mp4"),
        ("masters/interview.mov", EXACT, True, ".mov"),
        ("masters/interview.ts", FAST, False, ".mov"),
        ("https://bucket.s3.example/masters/a.mxf?X-Amz-Signature=abc.mp4", FAST, True, ".mxf"),
    ],
)
def test_clip_suffix(name, mode, all_intra, suffix):
    assert clip_suffix(name, mode, all_intra) == suffix


def test_clip_suffix_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        clip_suffix("a.mov", "slow", False)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"start": -1.0}, "0 ≤ start < end ≤ duration"),
        ({"start": 5.0, "end": 5.0}, "0 ≤ start < end ≤ duration"),
        ({"start": 6.0, "end": 5.0}, "0 ≤ start < end ≤ duration"),
        ({"end": 12.5}, "0 ≤ start < end ≤ duration"),
        ({"end": float("nan")}, "end must be a finite number"),
        ({"start": "1"}, "start must be a finite number"),
        ({"mode": "slow"}, "mode must be one of"),
        ({"dest": "clip.mov", "mode": EXACT}, r"re-encoded clip is written to \('.mp4',\)"),
        ({"dest": "clip.avi"}, "stream-copied clip is written to"),
        ({"dest": "clip.mxf"}, r"stream-copied clip is written to \('.mov', '.mp4', '.m4v', '.mkv'\)"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(long_gop, tmp_path, options, message):
    arguments = {"start": 1.0, "end": 2.0, "mode": FAST, "all_intra": False, "duration": 12.0, "dest": "clip.mp4"}
    arguments.update(options)
    dest = tmp_path / arguments.pop("dest")
    with pytest.raises(ValueError, match=message):
        cut_clip(long_gop, dest, **arguments)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- #
# Failures leave nothing behind
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("mode", [FAST, EXACT])
def test_truncated_master_fails_and_leaves_nothing(long_gop, tmp_path, mode):
    # Our MP4 masters have their index first, so a truncated one still opens.
    master = tmp_path / "truncated.mp4"
    data = long_gop.read_bytes()
    master.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "clip.mp4"

    with pytest.raises(media.FfmpegError) as info:
        cut_clip(master, dest, start=2.0, end=10.0, mode=mode, all_intra=False, duration=12.0)

    assert isinstance(info.value, ClipError)
    assert info.value.code in (ClipError.DAMAGED, ClipError.FAILED)
    assert info.value.reason in ClipError.REASONS.values()
    assert not dest.exists()
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("content", [b"", b"not a video at all" * 1000])
def test_unreadable_master_fails_with_a_reason(tmp_path, content):
    master = tmp_path / "master.mov"
    master.write_bytes(content)
    dest = tmp_path / "clip.mov"
    with pytest.raises(ClipError) as info:
        cut_clip(master, dest, start=0.0, end=1.0, mode=FAST, all_intra=True, duration=2.0)
    assert info.value.code == ClipError.UNREADABLE
    assert info.value.reason == "The master video could not be read."
    assert leftovers(tmp_path, master) == []


def test_missing_master_fails_with_a_reason(tmp_path):
    with pytest.raises(ClipError) as info:
        cut_clip(tmp_path / "gone.mov", tmp_path / "clip.mov", start=0, end=1, mode=FAST, all_intra=True, duration=2)
    assert info.value.code == ClipError.UNREADABLE
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", [FAST, EXACT])
def test_ffmpeg_failure_gives_a_reason_for_people_and_stderr_for_logs(long_gop, tmp_path, monkeypatch, mode):
    failing = tmp_path / "ffmpeg"
    failing.write_text("#!/bin/sh\necho 'Conversion failed: disk quota exceeded' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setattr("downloads.clips.ffmpeg.ffmpeg_binary", lambda: str(failing))
    out = tmp_path / "out"
    out.mkdir()

    with pytest.raises(ClipError) as info:
        cut_clip(long_gop, out / "clip.mp4", start=1.0, end=2.0, mode=mode, all_intra=False, duration=12.0)

    assert info.value.code == ClipError.FAILED
    assert info.value.reason == "The clip could not be cut from the master video."
    assert info.value.returncode == 1
    assert "disk quota exceeded" in str(info.value)
    assert list(out.iterdir()) == []


def test_missing_ffmpeg_binary_fails_with_a_reason(long_gop, tmp_path, monkeypatch):
    monkeypatch.setattr("downloads.clips.ffmpeg.ffmpeg_binary", lambda: str(tmp_path / "no-such-ffmpeg"))
    with pytest.raises(ClipError) as info:
        cut_clip(long_gop, tmp_path / "clip.mp4", start=1.0, end=2.0, mode=FAST, all_intra=False, duration=12.0)
    assert info.value.code == ClipError.FAILED
    assert "could not start ffmpeg" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_timeout_kills_ffmpeg_and_leaves_nothing(long_gop, tmp_path):
    dest = tmp_path / "clip.mp4"
    with pytest.raises(ClipError) as info:
        cut_clip(long_gop, dest, start=0.0, end=12.0, mode=EXACT, all_intra=False, duration=12.0, timeout=0.01)
    assert info.value.code == ClipError.TIMED_OUT
    assert "0.01 s" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_failing_progress_callback_stops_ffmpeg_and_leaves_nothing(long_gop, tmp_path):
    def progress(value):
        raise RuntimeError("job row is gone")

    dest = tmp_path / "clip.mp4"
    with pytest.raises(RuntimeError, match="job row is gone"):
        cut_clip(long_gop, dest, start=0.0, end=12.0, mode=EXACT, all_intra=False, duration=12.0, progress=progress)
    assert list(tmp_path.iterdir()) == []


def test_failed_cut_keeps_a_previous_clip(long_gop, tmp_path):
    dest = tmp_path / "clip.mp4"
    dest.write_bytes(b"previous clip")
    with pytest.raises(ClipError):
        cut_clip(long_gop, dest, start=0.0, end=12.0, mode=EXACT, all_intra=False, duration=12.0, timeout=0.01)
    assert dest.read_bytes() == b"previous clip"
    assert leftovers(tmp_path, dest) == []


# --------------------------------------------------------------------------- #
# Masters over HTTP
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("mode", [FAST, EXACT])
def test_clip_from_an_http_url_seeks_with_ranges(http_master, long_gop, tmp_path, mode):
    server, url = http_master
    dest = tmp_path / "clip.mp4"
    local = cut_clip(long_gop, tmp_path / "local.mp4", start=8.3, end=9.5, mode=mode, all_intra=False, duration=12.0)

    cut = cut_clip(url, dest, start=8.3, end=9.5, mode=mode, all_intra=False, duration=12.0)

    assert cut == local
    assert shown_length(dest) == pytest.approx(cut.end - cut.start, abs=FRAME / 2)
    size = long_gop.stat().st_size
    # Both PyAV (planning) and ffmpeg (cutting) jumped past the first half instead of reading it.
    assert any(first > size // 2 for _, first in server.ranges), server.ranges


def test_unreachable_url_fails_with_a_reason(http_master, tmp_path):
    _, url = http_master
    missing = url.replace("master.mp4", "missing.mp4")
    with pytest.raises(ClipError) as info:
        cut_clip(missing, tmp_path / "clip.mp4", start=0, end=1, mode=FAST, all_intra=False, duration=12.0)
    assert info.value.code == ClipError.UNREADABLE
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- #
# Audio
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("mode", [FAST, EXACT])
def test_master_without_audio_gives_a_clip_without_audio(tmp_path_factory, tmp_path, mode):
    master = generated_video_path(tmp_path_factory, codec="h264", duration=4.0, gop=25, audio=False)
    dest = tmp_path / "clip.mp4"
    cut = cut_clip(master, dest, start=1.0, end=2.0, mode=mode, all_intra=False, duration=4.0)
    assert (cut.start, cut.end) == (pytest.approx(1.0), pytest.approx(2.0))
    with av.open(os.fspath(dest)) as clip:
        assert not clip.streams.audio
        assert len(clip.streams.video) == 1


@pytest.fixture(scope="module")
def audio_outlasts_video(tmp_path_factory):
    """4 s of video with 4.3 s of audio: the master's duration is the audio's."""
    master = tmp_path_factory.mktemp("long-audio") / "master.mp4"
    media.run_ffmpeg(
        [
            "-f", "lavfi", "-t", "4", "-i", "testsrc2=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=4.3",
            "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-ac", "2", master,
        ],
        timeout=60,
    )  # fmt: skip
    return master


@pytest.mark.parametrize("mode", [FAST, EXACT])
def test_clip_to_the_masters_duration_ends_with_its_video(audio_outlasts_video, tmp_path, mode):
    duration = media.probe(audio_outlasts_video).duration
    assert duration > 4.2
    dest = tmp_path / "clip.mp4"
    cut = cut_clip(audio_outlasts_video, dest, start=3.0, end=duration, mode=mode, all_intra=False, duration=duration)
    assert (cut.start, cut.end) == (pytest.approx(3.0), pytest.approx(4.0))
    assert len(decoded_frames(dest)) == 25
    with av.open(os.fspath(dest)) as clip:
        assert clip.streams.audio[0].duration
