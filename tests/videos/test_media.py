"""videos.media against real files generated with the bundled ffmpeg.

No database and no Django settings needed: everything here also runs with
``-p no:django``. Sources are tiny (320x240, a few seconds) and each is
generated at most once per module (per xdist worker), to keep the module fast.
"""

import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import av
import imageio_ffmpeg
import pytest
from django.utils.functional import Promise
from PIL import Image

from videos import media


@pytest.fixture(scope="module")
def source_video(tmp_path_factory):
    """Generate (once per module) a test video; returns its path."""
    folder = tmp_path_factory.mktemp("sources")
    cache = {}

    def make(name, **options):
        if name not in cache:
            cache[name] = media.generate_test_video(folder / name, **options)
        return cache[name]

    return make


@pytest.fixture
def h264(source_video):
    return source_video("h264.mp4")


@pytest.fixture
def prores(source_video):
    return source_video("prores.mov", codec="prores")


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --------------------------------------------------------------------------- #
# ffmpeg binary and runner
# --------------------------------------------------------------------------- #


def test_ffmpeg_binary_falls_back_to_the_one_in_the_imageio_ffmpeg_wheel(monkeypatch):
    monkeypatch.setattr(media.ffmpeg.shutil, "which", lambda name: None)
    binary = media.ffmpeg_binary()
    assert binary == imageio_ffmpeg.get_ffmpeg_exe()
    assert os.access(binary, os.X_OK)


def test_ffmpeg_binary_prefers_the_setting(monkeypatch):
    from django.conf import settings

    if not settings.configured:
        pytest.skip("needs Django settings")
    monkeypatch.setattr(settings, "FFMPEG_BINARY", "/opt/ffmpeg/bin/ffmpeg", raising=False)
    assert media.ffmpeg_binary() == "/opt/ffmpeg/bin/ffmpeg"


def test_run_ffmpeg_failure_carries_stderr(tmp_path):
    with pytest.raises(media.FfmpegError) as info:
        media.run_ffmpeg(["-i", tmp_path / "missing.mp4", "-f", "null", "-"], timeout=30)
    assert info.value.returncode not in (None, 0)
    assert "missing.mp4" in info.value.stderr
    assert "missing.mp4" in str(info.value)


def test_run_ffmpeg_enforces_the_timeout():
    endless = ["-f", "lavfi", "-i", "testsrc2=size=64x48", "-f", "null", "-"]
    with pytest.raises(media.FfmpegError, match="timed out"):
        media.run_ffmpeg(endless, timeout=0.5)


# --------------------------------------------------------------------------- #
# probe: real videos
# --------------------------------------------------------------------------- #


def test_probe_long_gop_h264(h264):
    info = media.probe(h264)
    assert info.container == "mov,mp4,m4a,3gp,3g2,mj2"
    assert info.duration == pytest.approx(3.0, abs=0.1)
    assert (info.width, info.height) == (320, 240)
    assert info.frame_rate == 25
    assert info.frame_rate_exact == "25/1"
    assert info.video_codec == "h264"
    assert info.video_profile == "High"
    assert info.pixel_format == "yuv420p"
    assert info.audio_codec == "aac"
    assert info.audio_channels == 2
    assert info.audio_sample_rate == 48000
    assert info.bit_rate > 0
    assert info.frame_count == 75
    assert info.all_intra is False
    assert info.keyframe_count == 2  # GOP of 50 frames in 75
    assert info.keyframe_interval == pytest.approx(2.0, abs=0.05)


def test_probe_custom_gop(source_video):
    info = media.probe(source_video("gop25.mp4", duration=2, gop=25, audio=False))
    assert info.keyframe_count == 2
    assert info.keyframe_interval == pytest.approx(1.0, abs=0.05)


def test_probe_exact_ntsc_frame_rate(source_video):
    info = media.probe(source_video("ntsc.mp4", duration=1, fps="30000/1001", audio=False))
    assert info.frame_rate_exact == "30000/1001"
    assert info.frame_rate == pytest.approx(29.97, abs=0.001)
    assert info.frame_count == 30


def test_probe_intra_only_h264(source_video):
    info = media.probe(source_video("intra.mp4", codec="h264_intra"))
    assert info.video_codec == "h264"
    assert info.all_intra is True
    assert info.keyframe_count == info.frame_count == 75
    assert info.keyframe_interval == 0


def test_probe_prores(prores):
    info = media.probe(prores)
    assert info.container.startswith("mov,")
    assert info.video_codec == "prores"
    assert info.video_profile == "Proxy"
    assert info.pixel_format == "yuv422p10le"
    assert info.audio_codec == "pcm_s16le"
    assert info.duration == pytest.approx(3.0, abs=0.1)
    assert info.all_intra is True
    assert info.keyframe_interval == 0


@pytest.mark.parametrize("suffix, container", [(".mov", "mov,mp4,m4a,3gp,3g2,mj2"), (".mxf", "mxf")])
def test_probe_dnxhr(source_video, suffix, container):
    info = media.probe(source_video("dnxhr" + suffix, codec="dnxhd", duration=1))
    assert info.container == container
    assert info.video_codec == "dnxhd"
    assert info.video_profile == "DNXHR LB"
    assert (info.width, info.height) == (320, 240)
    assert info.duration == pytest.approx(1.0, abs=0.1)
    assert info.frame_rate_exact == "25/1"
    assert info.audio_codec == "pcm_s16le"
    assert info.all_intra is True
    assert info.keyframe_interval == 0


def test_probe_video_without_audio(source_video):
    info = media.probe(source_video("silent.mp4", duration=1, audio=False))
    assert info.audio_codec is None
    assert info.audio_channels is None
    assert info.audio_sample_rate is None


def test_probe_result_is_frozen_and_serialisable(h264):
    info = media.probe(h264)
    with pytest.raises(AttributeError):
        info.duration = 1.0
    assert info.as_dict()["video_codec"] == "h264"


def test_probe_missing_file_is_not_blamed_on_the_upload(tmp_path):
    with pytest.raises(FileNotFoundError):
        media.probe(tmp_path / "gone.mp4")


# --------------------------------------------------------------------------- #
# probe: things that are not videos
# --------------------------------------------------------------------------- #


def _text(path, h264):
    path.write_text("This is a press release, not a video.\n" * 20)


def _random(path, h264):
    # Seeded: some random byte strings happen to parse as a container without a video stream.
    path.write_bytes(random.Random(20261207).randbytes(64 * 1024))


def _empty(path, h264):
    path.write_bytes(b"")


def _first_half(path, h264):
    # Our MP4s have the index (moov) at the front, so the first half still
    # opens; the cut shows as a short read of the packet at the boundary.
    data = h264.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _cut_on_a_packet_boundary(path, h264):
    # No short read at all here: libavformat just hits EOF early, so only the
    # index (75 entries vs 40 packets read) reveals the truncation.
    with av.open(str(h264)) as container:
        cut = container.streams.video[0].index_entries[40].pos
    path.write_bytes(h264.read_bytes()[:cut])


def _first_2_kb(path, h264):
    # Cuts through the index itself; PyAV still opens it with half a moov.
    path.write_bytes(h264.read_bytes()[:2048])


def _index_at_the_end_cut_off(path, h264):
    # Without faststart the index is written last, so a cut-off upload loses it.
    mov = media.generate_test_video(path.with_suffix(".mov"), duration=1, audio=False)
    data = mov.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _audio_only(path, h264):
    media.run_ffmpeg(["-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "aac", "-f", "mp4", path], timeout=30)


def _jpeg(path, h264):
    Image.new("RGB", (64, 48), "red").save(path, format="JPEG")


def _png(path, h264):
    Image.new("RGB", (64, 48), "blue").save(path, format="PNG")


def _gif(path, h264):
    frames = [Image.new("RGB", (64, 48), color) for color in ("red", "green", "blue")]
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:], duration=100)


def _heic(path, h264):
    # Phone photos: ISO-BMFF like MP4, opened by the very same mov demuxer.
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), "green")).save(path)


def _zeroed_frames(path, h264):
    # Container and index intact, every frame's payload wiped.
    prores = media.generate_test_video(path.with_suffix(".mov"), duration=0.4, codec="prores", audio=False)
    data = bytearray(prores.read_bytes())
    with av.open(str(prores)) as container:
        for entry in container.streams.video[0].index_entries:
            data[entry.pos : entry.pos + entry.size] = bytes(entry.size)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "make_bad_file, code",
    [
        (_text, "unreadable"),
        (_random, "unreadable"),
        (_empty, "unreadable"),
        (_first_half, "unreadable"),
        (_cut_on_a_packet_boundary, "unreadable"),
        (_first_2_kb, "unreadable"),
        (_index_at_the_end_cut_off, "unreadable"),
        (_audio_only, "no_video_stream"),
        (_jpeg, "not_a_video_container"),
        (_png, "not_a_video_container"),
        (_gif, "not_a_video_container"),
        (_heic, "no_duration"),
        (_zeroed_frames, "undecodable"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_probe_rejects(tmp_path, h264, make_bad_file, code):
    bad = tmp_path / "upload.mp4"  # named like a video, whatever it really is
    make_bad_file(bad, h264)
    with pytest.raises(media.NotAVideo) as info:
        media.probe(bad)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value.message, Promise)  # translated lazily, in the user's language


def test_not_a_video_messages_render():
    # Rendering a lazy message needs settings (and apps, with i18n on). Use the
    # project's when pytest-django has loaded them; otherwise configure a
    # minimal Django in a child process so this process stays unconfigured.
    from django.conf import settings

    expected = "unreadable=This file is not a video we can read."
    script = "from videos import media; print('unreadable=' + str(media.NotAVideo('unreadable')))"
    if settings.configured:
        from django.utils import translation

        with translation.override("en"):
            assert f"unreadable={media.NotAVideo('unreadable')}" == expected
        return
    bootstrap = textwrap.dedent(
        """
        import django
        from django.conf import settings
        if not settings.configured:
            settings.configure(USE_I18N=True, INSTALLED_APPS=[])
        django.setup()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", bootstrap + script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(media.__file__).resolve().parents[2],
        check=True,
    )
    assert result.stdout.strip() == expected


def test_not_a_video_every_code_has_a_message():
    for code in ("unreadable", "no_video_stream", "not_a_video_container", "no_duration", "undecodable"):
        error = media.NotAVideo(code)
        assert error.code == code
        assert isinstance(error.message, Promise)


# --------------------------------------------------------------------------- #
# Poster
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("at_seconds", [None, 1.0, 99.0, -3.0], ids=["default", "1s", "past-end", "negative"])
def test_extract_poster(tmp_path, h264, at_seconds):
    poster = media.extract_poster(h264, tmp_path / "poster.jpg", at_seconds=at_seconds)
    assert poster == tmp_path / "poster.jpg"
    with Image.open(poster) as image:
        assert image.format == "JPEG"
        assert image.size == (320, 240)
    assert files_in(tmp_path) == ["poster.jpg"]


def test_extract_poster_from_a_10_bit_master(tmp_path, prores):
    with Image.open(media.extract_poster(prores, tmp_path / "poster.jpg")) as image:
        assert image.size == (320, 240)


def test_extract_poster_failure_leaves_nothing(tmp_path):
    source = tmp_path / "broken.mp4"
    source.write_bytes(os.urandom(4096))
    out = tmp_path / "out"
    with pytest.raises(media.FfmpegError) as info:
        media.extract_poster(source, out / "poster.jpg")
    assert info.value.stderr
    assert files_in(out) == []


# --------------------------------------------------------------------------- #
# Proxy
# --------------------------------------------------------------------------- #


def test_make_proxy_scales_down_to_360p(tmp_path, source_video):
    source = source_video("vga.mp4", width=640, height=480, duration=2)
    proxy = media.make_proxy(source, tmp_path / "proxy.mp4")
    assert proxy == tmp_path / "proxy.mp4"
    info = media.probe(proxy)
    assert info.video_codec == "h264"
    assert info.pixel_format == "yuv420p"
    assert (info.width, info.height) == (480, 360)
    assert info.duration == pytest.approx(2.0, abs=0.2)
    assert info.audio_codec == "aac"
    assert files_in(tmp_path) == ["proxy.mp4"]


def test_make_proxy_keeps_even_dimensions_and_never_upscales(tmp_path, h264):
    small = media.probe(media.make_proxy(h264, tmp_path / "small.mp4", max_height=99))
    assert (small.width, small.height) == (130, 98)  # 4:3 at the nearest even size
    same = media.probe(media.make_proxy(h264, tmp_path / "same.mp4"))
    assert (same.width, same.height) == (320, 240)


def test_make_proxy_from_a_master_without_audio(tmp_path, source_video):
    source = source_video("dnxhr-silent.mxf", codec="dnxhd", duration=1, audio=False)
    info = media.probe(media.make_proxy(source, tmp_path / "proxy.mp4"))
    assert info.video_codec == "h264"
    assert info.pixel_format == "yuv420p"  # not 4:2:2 like the master: browsers need 4:2:0
    assert info.audio_codec is None
    assert info.duration == pytest.approx(1.0, abs=0.2)


def test_make_proxy_failure_leaves_no_temporary_file(tmp_path, h264):
    corrupt = tmp_path / "corrupt.mp4"
    _first_2_kb(corrupt, h264)
    out = tmp_path / "out"
    out.mkdir()
    (out / "proxy.mp4").write_bytes(b"previous good proxy")
    with pytest.raises(media.FfmpegError):
        media.make_proxy(corrupt, out / "proxy.mp4")
    assert files_in(out) == ["proxy.mp4"]
    assert (out / "proxy.mp4").read_bytes() == b"previous good proxy"  # not clobbered


# --------------------------------------------------------------------------- #
# Test material
# --------------------------------------------------------------------------- #


def test_generate_long_video_from_a_looped_segment(tmp_path):
    # 255 frames = 5 copies of a 50-frame segment + a 5-frame remainder.
    video = media.generate_test_video(
        tmp_path / "long.mp4", duration=10.2, width=160, height=120, gop=25, loop_segment=2.0
    )
    info = media.probe(video)
    assert info.frame_count == 255
    assert info.duration == pytest.approx(10.2, abs=0.1)
    assert info.frame_rate_exact == "25/1"
    assert info.keyframe_count == 11
    assert info.keyframe_interval == pytest.approx(1.0, abs=0.05)
    assert info.audio_codec == "aac"
    assert files_in(tmp_path) == ["long.mp4"]  # segments and playlist cleaned up


@pytest.mark.parametrize(
    "name, options",
    [
        ("x.mov", {"codec": "dnxhd", "width": 128, "height": 96}),  # DNxHR minimum is 256x120
        ("x.mp4", {"codec": "prores"}),  # ProRes does not go in MP4
        ("x.mp4", {"codec": "vp9"}),
        ("x.mov", {"codec": "prores", "gop": 10}),
        ("x.mp4", {"width": 321}),  # 4:2:0 needs even sizes
    ],
)
def test_generate_test_video_rejects_bad_options(tmp_path, name, options):
    with pytest.raises(ValueError):
        media.generate_test_video(tmp_path / name, **options)
    assert files_in(tmp_path) == []


def test_generate_test_video_ffmpeg_failure_leaves_nothing(tmp_path):
    with pytest.raises(media.FfmpegError, match="frame rate"):
        media.generate_test_video(tmp_path / "x.mxf", codec="dnxhd", fps=12, duration=0.5)  # not an MXF rate
    assert files_in(tmp_path) == []
