"""Packet indexes: clips cut from one without opening the master, and the index's life beside its video.

The in-process stream copy must give the clip ffmpeg's path gives: same in and
out points, length, frames, pictures, codecs, audio. Masters are the small
generated ones of test_clips (real H.264 with B-frames and AAC, ProRes with PCM).
"""

import os
from pathlib import Path

import av
import pytest
from django.core.files import File
from django.core.management import call_command

from downloads import clips, packet_index
from downloads.clips import EXACT, FAST, ClipError, cut_clip
from downloads.models import DownloadJob, PacketIndex, PacketIndexChunk
from downloads.tasks import build_packet_index
from tests.conftest import generated_video_path
from tests.downloads.test_clips import FRAME, decoded_frames, difference, shown_length, video_packets
from videos import media
from videos.files import sha256_of
from videos.tasks import make_video_derivatives

# A cache namespace per test: which masters were already queued for indexing must not leak between tests.
pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.fixture(scope="module")
def long_gop(tmp_path_factory):
    """H.264 with B-frames, a keyframe every second (25 frames), AAC audio: as test_clips'."""
    return generated_video_path(tmp_path_factory, codec="h264", duration=12.0, gop=25)


def index_of(master) -> packet_index.MasterIndex:
    return packet_index.in_memory(packet_index.build(master))


def audio_span(path) -> tuple[float, float]:
    """Where the clip's audio starts and ends, in seconds of its own timeline."""
    with av.open(os.fspath(path)) as clip:
        stream = clip.streams.audio[0]
        packets = [p for p in clip.demux(stream) if p.size]
        return (
            float(packets[0].pts * stream.time_base),
            float((packets[-1].pts + packets[-1].duration) * stream.time_base),
        )


def assert_same_clip(indexed: Path, ffmpeg: Path, *, copied_frames: bool = True) -> None:
    """The two clips show the same frames (the very same pictures: both are copies) and carry the same streams."""
    assert shown_length(indexed) == pytest.approx(shown_length(ffmpeg), abs=1e-6)
    assert video_packets(indexed)[0][1], "the first video packet must be a keyframe"
    assert min(pts for pts, _ in video_packets(indexed)) == video_packets(indexed)[0][0]
    ours, theirs = decoded_frames(indexed), decoded_frames(ffmpeg)
    assert len(ours) == len(theirs)
    assert difference(ours[0], theirs[0]) == 0
    assert difference(ours[-1], theirs[-1]) == 0
    with av.open(os.fspath(indexed)) as a, av.open(os.fspath(ffmpeg)) as b:
        assert a.format.name == b.format.name
        for x, y in zip(a.streams, b.streams, strict=True):
            assert (x.type, x.codec_context.name, x.codec_tag) == (y.type, y.codec_context.name, y.codec_tag)
            assert x.codec_context.extradata == y.codec_context.extradata
        assert (a.streams.video[0].width, a.streams.video[0].height) == (b.streams.video[0].width, 240)
        assert a.streams.video[0].average_rate == b.streams.video[0].average_rate
    with av.open(os.fspath(ffmpeg)) as clip:
        if not clip.streams.audio:
            return
    # The audio starts with the packet sounding at the in point, as ffmpeg's does, and lasts the clip.
    (our_start, our_end), (their_start, their_end) = audio_span(indexed), audio_span(ffmpeg)
    assert our_start == pytest.approx(their_start, abs=0.001)
    assert our_end == pytest.approx(their_end, abs=0.025)  # ffmpeg may stop one AAC packet (21 ms) earlier


# --------------------------------------------------------------------------- #
# The indexed path gives ffmpeg's clip
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(("start", "end"), [(2.3, 5.7), (3.0, 4.0), (0.0, 1.1), (10.5, 12.0), (0.0, 12.0)])
def test_long_gop_clip_from_the_index_is_ffmpegs_clip(long_gop, tmp_path, start, end):
    index = index_of(long_gop)
    by_ffmpeg = cut_clip(
        long_gop, tmp_path / "ffmpeg.mp4", start=start, end=end, mode=FAST, all_intra=False, duration=12.0
    )

    cut = cut_clip(
        long_gop, tmp_path / "indexed.mp4", start=start, end=end, mode=FAST, all_intra=False, duration=12.0, index=index
    )

    assert cut == by_ffmpeg
    assert len(decoded_frames(tmp_path / "indexed.mp4")) == round((cut.end - cut.start) * 25)
    assert_same_clip(tmp_path / "indexed.mp4", tmp_path / "ffmpeg.mp4")


@pytest.mark.parametrize("mode", [FAST, EXACT])
def test_intra_only_clip_from_the_index_is_ffmpegs_clip(tmp_path_factory, tmp_path, mode):
    master = generated_video_path(tmp_path_factory, codec="prores", duration=8.0)
    index = index_of(master)
    by_ffmpeg = cut_clip(master, tmp_path / "ffmpeg.mov", start=2.3, end=5.7, mode=mode, all_intra=True, duration=8.0)

    cut = cut_clip(
        master, tmp_path / "indexed.mov", start=2.3, end=5.7, mode=mode, all_intra=True, duration=8.0, index=index
    )

    assert cut == by_ffmpeg
    assert (cut.start, cut.end) == (pytest.approx(2.28), pytest.approx(5.72))
    assert len(decoded_frames(tmp_path / "indexed.mov")) == 86
    assert_same_clip(tmp_path / "indexed.mov", tmp_path / "ffmpeg.mov")


def test_intra_only_h264_at_ntsc_rates_from_the_index(tmp_path_factory, tmp_path):
    master = generated_video_path(tmp_path_factory, codec="h264_intra", duration=4.0, fps="30000/1001")
    arguments = {"start": 1.001, "end": 2.002, "mode": FAST, "all_intra": True, "duration": 4.0}
    by_ffmpeg = cut_clip(master, tmp_path / "ffmpeg.mp4", **arguments)
    cut = cut_clip(master, tmp_path / "indexed.mp4", **arguments, index=index_of(master))
    assert cut == by_ffmpeg
    assert len(decoded_frames(tmp_path / "indexed.mp4")) == 30
    assert_same_clip(tmp_path / "indexed.mp4", tmp_path / "ffmpeg.mp4")


def test_open_gop_clip_from_the_index_drops_the_leading_frames(open_gop, tmp_path):
    index = index_of(open_gop)
    by_ffmpeg = cut_clip(
        open_gop, tmp_path / "ffmpeg.mp4", start=2.3, end=5.7, mode=FAST, all_intra=False, duration=8.0
    )
    cut = cut_clip(
        open_gop, tmp_path / "indexed.mp4", start=2.3, end=5.7, mode=FAST, all_intra=False, duration=8.0, index=index
    )
    assert cut == by_ffmpeg
    assert len(decoded_frames(tmp_path / "indexed.mp4")) == round((cut.end - cut.start) * 25)
    assert_same_clip(tmp_path / "indexed.mp4", tmp_path / "ffmpeg.mp4")


def test_master_without_audio_from_the_index(tmp_path_factory, tmp_path):
    master = generated_video_path(tmp_path_factory, codec="h264", duration=4.0, gop=25, audio=False)
    cut = cut_clip(
        master,
        tmp_path / "clip.mp4",
        start=1.0,
        end=2.0,
        mode=FAST,
        all_intra=False,
        duration=4.0,
        index=index_of(master),
    )
    assert (cut.start, cut.end) == (pytest.approx(1.0), pytest.approx(2.0))
    with av.open(os.fspath(tmp_path / "clip.mp4")) as clip:
        assert not clip.streams.audio and len(clip.streams.video) == 1
    assert len(decoded_frames(tmp_path / "clip.mp4")) == 25


# --------------------------------------------------------------------------- #
# Neither ffmpeg nor the master's own index
# --------------------------------------------------------------------------- #


def test_an_indexed_cut_runs_no_ffmpeg_and_never_opens_the_master(long_gop, tmp_path, monkeypatch):
    index = index_of(long_gop)
    opened = []
    real_open = av.open

    def spy(target, *args, **kwargs):
        opened.append(target)
        return real_open(target, *args, **kwargs)

    monkeypatch.setattr(clips.ffmpeg, "ffmpeg_binary", lambda: str(tmp_path / "no-such-ffmpeg"))
    monkeypatch.setattr(av, "open", spy)

    cut = cut_clip(
        long_gop, tmp_path / "clip.mp4", start=8.3, end=9.5, mode=FAST, all_intra=False, duration=12.0, index=index
    )

    assert cut.start == 8.0
    assert os.fspath(long_gop) not in [t for t in opened if isinstance(t, str)]


def test_an_indexed_cut_reads_only_the_chunks_around_the_clip(tmp_path_factory, tmp_path):
    master = generated_video_path(tmp_path_factory, codec="h264", duration=40.0, gop=25)
    built = packet_index.build(master)
    index = packet_index.in_memory(built)
    asked = []

    def fetch(first, last):
        asked.append((first, last))
        return index.fetch(first, last)

    counting = packet_index.MasterIndex(**{**index.__dict__, "fetch": fetch})
    cut = cut_clip(
        master, tmp_path / "clip.mp4", start=31.0, end=33.0, mode=FAST, all_intra=False, duration=40.0, index=counting
    )
    assert (cut.start, cut.end) == (31.0, pytest.approx(33.0))
    # One fetch, of the chunks holding 31 s minus a keyframe interval to 33 s plus a little: not the first ones.
    assert asked == [(packet_index.chunk_number(31.0 - index.keyframe_gap - 1), packet_index.chunk_number(35.0))]
    assert asked[0][0] > 0


def test_exact_clips_of_long_gop_masters_are_still_re_encoded_by_ffmpeg(long_gop, tmp_path):
    cut = cut_clip(
        long_gop,
        tmp_path / "clip.mp4",
        start=2.3,
        end=3.7,
        mode=EXACT,
        all_intra=False,
        duration=12.0,
        index=index_of(long_gop),
    )
    assert not cut.stream_copied
    assert (cut.start, cut.end) == (pytest.approx(2.28), pytest.approx(3.72))


def test_an_indexed_cut_over_http_is_one_range_request_for_the_clips_bytes(http_master, long_gop, tmp_path):
    server, url = http_master
    index = index_of(long_gop)
    local = cut_clip(
        long_gop, tmp_path / "local.mp4", start=8.3, end=9.5, mode=FAST, all_intra=False, duration=12.0, index=index
    )

    cut = cut_clip(
        url, tmp_path / "clip.mp4", start=8.3, end=9.5, mode=FAST, all_intra=False, duration=12.0, index=index
    )

    assert cut == local
    assert (tmp_path / "clip.mp4").read_bytes() == (tmp_path / "local.mp4").read_bytes()
    assert len(server.ranges) == 1
    assert server.ranges[0][1] > long_gop.stat().st_size // 2


def test_an_unreachable_url_fails_with_a_reason(http_master, long_gop, tmp_path):
    _, url = http_master
    with pytest.raises(ClipError) as info:
        cut_clip(
            url.replace(long_gop.name, "missing.mp4"), tmp_path / "clip.mp4",
            start=1, end=2, mode=FAST, all_intra=False, duration=12.0, index=index_of(long_gop),
        )  # fmt: skip
    assert info.value.code == ClipError.UNREADABLE
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- #
# Failures
# --------------------------------------------------------------------------- #


def test_a_master_truncated_after_indexing_fails_and_leaves_nothing(long_gop, tmp_path):
    index = index_of(long_gop)
    master = tmp_path / "master.mp4"
    data = long_gop.read_bytes()
    master.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    with pytest.raises(ClipError) as info:
        cut_clip(master, out / "clip.mp4", start=8.0, end=10.0, mode=FAST, all_intra=False, duration=12.0, index=index)
    assert info.value.code == ClipError.DAMAGED
    assert list(out.iterdir()) == []


def test_an_indexed_cut_times_out_and_leaves_nothing(long_gop, tmp_path):
    with pytest.raises(ClipError) as info:
        cut_clip(
            long_gop, tmp_path / "clip.mp4", start=0.0, end=12.0, mode=FAST, all_intra=False, duration=12.0,
            timeout=0.0, index=index_of(long_gop),
        )  # fmt: skip
    assert info.value.code == ClipError.TIMED_OUT
    assert list(tmp_path.iterdir()) == []


def test_an_index_that_does_not_describe_the_master_is_caught_by_the_read_back(long_gop, tmp_path_factory, tmp_path):
    # The index of another master of the same kind: the bytes read are not the packets it lists.
    other = generated_video_path(tmp_path_factory, codec="h264", duration=12.0, gop=50)
    with pytest.raises(ClipError):
        cut_clip(
            long_gop, tmp_path / "clip.mp4", start=2.3, end=5.7, mode=FAST, all_intra=False, duration=12.0,
            index=index_of(other),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_indexes_are_built_for_mp4_and_quicktime_masters_only(tmp_path):
    assert packet_index.supports("videos/masters/a.MOV") and packet_index.supports("a.mp4")
    assert not packet_index.supports("a.mxf") and not packet_index.supports("a.mkv")
    master = media.generate_test_video(tmp_path / "dnxhd.mxf", codec="dnxhd", duration=1.0)
    with pytest.raises(ValueError, match="packet indexes are built for"):
        packet_index.build(master)


def test_the_index_records_every_packet_of_the_kept_streams(long_gop):
    built = packet_index.build(long_gop)
    with av.open(os.fspath(long_gop)) as container:
        expected = sum(1 for p in container.demux() if p.size)
    assert built.packets == expected
    assert [s.kind for s in built.streams] == ["video", "audio"]
    assert built.keyframe_gap == pytest.approx(1.0 + FRAME)
    records = [r for (stream, _), data in built.chunks.items() if stream == 0 for r in packet_index.decode_chunk(data)]
    assert len(records) == 300 and sum(r.keyframe for r in records) == 12


# --------------------------------------------------------------------------- #
# The stored index, beside its video
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_the_index_is_built_at_ingest(make_video, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        video = make_video(duration=12.0, gop=25, state="processing")  # its derivatives are queued
    index = PacketIndex.objects.get(video=video)
    assert index.matches(video)
    # Per stream, chunks of 10 s of decode time: -10 to 0 (B-frames and AAC priming decode before 0), 0 to 10, 10 to 20.
    assert index.packet_count > 800 and index.chunks.count() == 6
    assert index.stored_bytes < 20_000
    stored = PacketIndex.for_clips(video)
    assert stored is not None and stored.keyframe_gap == pytest.approx(1.0 + FRAME)


@pytest.mark.django_db
def test_the_index_goes_with_its_video(make_video, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        video = make_video(duration=4.0, state="processing")
    assert PacketIndex.objects.filter(video=video).exists()
    with django_capture_on_commit_callbacks(execute=True):
        video.delete()
    assert not PacketIndex.objects.exists() and not PacketIndexChunk.objects.exists()


@pytest.mark.django_db
def test_a_stale_index_is_ignored_and_replaced(make_video, tmp_path_factory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        video = make_video(duration=4.0, state="processing")
    old = PacketIndex.objects.get(video=video)
    # The master is replaced (as the admin does: new file, probe, checksum): the old index no longer counts.
    replacement = generated_video_path(tmp_path_factory, codec="h264", duration=6.0, gop=25)
    video.apply_probe(media.probe(replacement), size=replacement.stat().st_size, sha256=sha256_of(replacement))
    with replacement.open("rb") as handle:
        video.file.save("replacement.mp4", File(handle), save=False)
    video.save()  # not committed yet: the derivatives task has not run
    assert not old.matches(video)
    assert PacketIndex.for_clips(video) is None

    assert make_video_derivatives.call(video.pk) == "ready"
    new = PacketIndex.objects.get(video=video)
    assert new.pk != old.pk and new.matches(video) and new.master_name == video.file.name


@pytest.mark.django_db
def test_an_index_built_from_a_master_replaced_meanwhile_is_not_stored(make_video):
    video = make_video(duration=4.0)
    stale = type(video).objects.get(pk=video.pk)
    video.sha256 = "0" * 64
    video.save()
    assert PacketIndex.build(stale, Path(stale.file.path)) is None
    assert not PacketIndex.objects.exists()
    assert PacketIndex.build(video, Path(video.file.path)) is not None


@pytest.mark.django_db
def test_the_build_task_skips_current_indexes_and_unsupported_masters(make_video, tmp_path_factory):
    video = make_video(duration=4.0)
    assert build_packet_index.call(video.pk) == "built"
    assert build_packet_index.call(video.pk) == "current"
    assert build_packet_index.call(10**9) == "deleted"
    type(video).objects.filter(pk=video.pk).update(file="videos/masters/interview.mxf")
    assert build_packet_index.call(video.pk) == "unsupported"


@pytest.mark.django_db
def test_the_command_indexes_masters_from_before_indexes(make_video, capsys):
    first, second = make_video(duration=4.0), make_video(title="Summit", duration=4.0)
    assert not PacketIndex.objects.exists()

    call_command("build_packet_indexes")
    assert capsys.readouterr().out.strip() == "2 built, 0 queued, 0 current, 0 unsupported, 0 failed."
    assert all(PacketIndex.objects.get(video=video).matches(video) for video in (first, second))

    call_command("build_packet_indexes", str(first.pk), "--rebuild")
    assert capsys.readouterr().out.strip() == "1 built, 0 queued, 0 current, 0 unsupported, 0 failed."
    call_command("build_packet_indexes")
    assert capsys.readouterr().out.strip() == "0 built, 0 queued, 2 current, 0 unsupported, 0 failed."


# --------------------------------------------------------------------------- #
# Clip jobs
# --------------------------------------------------------------------------- #


def _fast_clip(member, ask, video_id, start="2.3", end="5.7"):
    job = ask(member, video_id, {"kind": "clip", "start": start, "end": end, "mode": "fast"}).json()
    return member.get(f"/api/v1/downloads/{job['job_id']}").json()


@pytest.mark.django_db
def test_a_clip_job_without_an_index_is_cut_by_ffmpeg_then_indexes_the_master(
    published_video, member, ask, monkeypatch
):
    used = []
    real_cut = clips.cut_clip
    monkeypatch.setattr(clips, "cut_clip", lambda *a, **k: used.append(k["index"]) or real_cut(*a, **k))
    assert not PacketIndex.objects.exists()

    first = _fast_clip(member, ask, published_video.video_id)
    second = _fast_clip(member, ask, published_video.video_id, start="6.3", end="8.2")

    assert first["status"] == second["status"] == "ready"
    assert used[0] is None and used[1] is not None
    assert PacketIndex.objects.get().matches(published_video.video)
    assert first["actual"]["start_ms"] == 2000 and second["actual"]["start_ms"] == 6000


@pytest.mark.django_db
def test_a_master_whose_index_fails_is_not_tried_again_on_every_clip(published_video, member, ask, monkeypatch):
    """On S3 a build reads the whole master: a failing one waits PACKET_INDEX_RETRY_SECONDS, however many clips ask."""
    builds = []

    def damaged(path):
        builds.append(path)
        raise ValueError("corrupt packet at byte 1234")

    monkeypatch.setattr(packet_index, "build", damaged)

    first = _fast_clip(member, ask, published_video.video_id)
    second = _fast_clip(member, ask, published_video.video_id, start="6.3", end="8.2")

    assert first["status"] == second["status"] == "ready"  # cut by ffmpeg all the same
    assert len(builds) == 1 and not PacketIndex.objects.exists()


@pytest.mark.django_db
def test_a_clip_job_with_an_index_runs_no_ffmpeg(published_video, member, ask, monkeypatch, tmp_path):
    build_packet_index.call(published_video.video_id)
    monkeypatch.setattr(clips.ffmpeg, "ffmpeg_binary", lambda: str(tmp_path / "no-such-ffmpeg"))

    status = _fast_clip(member, ask, published_video.video_id)

    assert status["status"] == "ready", status
    assert status["actual"]["start_ms"] == 2000 and 5700 <= status["actual"]["end_ms"] <= 5780
    job = DownloadJob.objects.get()
    assert job.stream_copied and job.file.name.endswith(".mp4")
    assert shown_length(job.file.path) == pytest.approx((job.clip_end_ms - job.clip_start_ms) / 1000, abs=FRAME / 2)
