"""The ingest of one master, timed step by step, against `sha256sum` of the same file (run by bench/uploads.py).

Runs the real task, `videos.tasks.ingest_master`, on a Video whose master is
--master (linked into MEDIA_ROOT), so every step is the code a worker runs:
the claim, the one streaming pass that hashes the master (with its progress
UPDATEs), the probe, the UPDATE of the probed columns, then `master_ready`,
whose receiver builds and stores the downloads' packet index. The run is
stopped where the poster would start (the poster and the proxy are not part
of the measure): `media.extract_poster` is swapped for a stop that notes the
time, and the task's own error path then marks the video failed. The video is
made `processing` again before each run, as a new upload would.

The runs alternate with `sha256sum` (the machine is shared; its speed drifts),
after one untimed run of each so that both read from the page cache. Prints
one JSON document on its last line.

    DJANGO_SETTINGS_MODULE=… .venv/bin/python bench/ingest_steps.py [--master M.mp4] --runs 3
"""

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# bench/clips.py's name and options: the two share the file.
ONE_HOUR = "h264-1080p25-gop50-1h.mp4"
ONE_HOUR_OPTIONS = {"codec": "h264", "duration": 3600.0, "gop": 50, "width": 1920, "height": 1080, "fps": 25}
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cms-bench" / "clips"


class StopBeforePoster(Exception):
    pass


def one_hour_master() -> Path:
    """A one-hour 1080p master: a 10-second segment encoded, then concatenated (`-f concat -c copy`)."""
    from videos import media

    path = CACHE / ONE_HOUR
    if not path.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} (once)", flush=True)
        media.generate_test_video(path, loop_segment=10.0, **ONE_HOUR_OPTIONS)
    return path


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--master", type=Path, help="[the one-hour master, made once in the cache]")
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args()


def main():
    args = parse_args()
    import django

    django.setup()
    from django.conf import settings

    from downloads.models import PacketIndex
    from videos import media, tasks
    from videos.models import Video

    # The stop below goes through the task's error path, which logs it: expected here.
    logging.getLogger("videos.tasks").disabled = True
    args.master = args.master or one_hour_master()
    name = f"videos/masters/bench/{args.master.name}"
    link = Path(settings.MEDIA_ROOT) / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(args.master.resolve())
    video = Video.objects.create(title="bench master", file=name, state=Video.State.UPLOADING)

    marks: dict[str, float] = {}
    real_probe = media.probe

    def timed_probe(path, *a, **kw):
        marks["probe_start"] = time.perf_counter()
        try:
            return real_probe(path, *a, **kw)
        finally:
            marks["probe_end"] = time.perf_counter()

    def stop_at_poster(*a, **kw):
        marks["indexed"] = time.perf_counter()
        raise StopBeforePoster

    media.probe, media.extract_poster = timed_probe, stop_at_poster

    def ingest() -> dict:
        video.refresh_from_db()
        video.await_ingest()
        video.save()
        marks.clear()
        started = time.perf_counter()
        tasks.ingest_master.call(video.pk)
        if "indexed" not in marks:
            video.refresh_from_db()
            raise RuntimeError(f"the ingest stopped early: {video.state} {video.failure_detail}")
        if not PacketIndex.objects.filter(video=video, master_sha256__gt="").exists():
            raise RuntimeError("no packet index was stored")
        return {
            "hash": marks["probe_start"] - started,
            "probe": marks["probe_end"] - marks["probe_start"],
            "index": marks["indexed"] - marks["probe_end"],
            "total": marks["indexed"] - started,
        }

    def sha256sum() -> float:
        started = time.perf_counter()
        subprocess.run(["sha256sum", str(args.master)], check=True, capture_output=True)  # noqa: S603, S607
        return time.perf_counter() - started

    ingest(), sha256sum()  # untimed: the page cache, PyAV, the database
    steps, sums = [], []
    for number in range(args.runs):
        steps.append(ingest())
        sums.append(sha256sum())
        print(f"run {number + 1}: ingest {steps[-1]['total']:.2f} s, sha256sum {sums[-1]:.2f} s", flush=True)
    video.refresh_from_db()
    index = PacketIndex.objects.get(video=video)
    result = {
        "size": os.path.getsize(args.master),
        "duration": video.duration,
        "packets": index.packet_count,
        "index_build": index.build_seconds,
        "steps": steps,
        "sha256sum": sums,
        "median": {key: statistics.median(step[key] for step in steps) for key in steps[0]},
        "sha256sum_median": statistics.median(sums),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
