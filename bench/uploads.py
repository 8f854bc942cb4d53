"""Broadcast masters: a 5 GB upload through the tus path, and the ingest of a one-hour 1080p master.

Uploads (`--size-gb`, default 5):
1. a temporary folder holds MEDIA_ROOT, a SQLite database (migrated) and a
   master of random bytes (one 16 MB block of os.urandom written over and
   over, as bench/stream.py); `manage.py shell` makes a superuser and its
   session;
2. gunicorn serves the project (`cms.settings.production`, --workers sync
   workers, tasks queued in the database and left there: the ingest is not
   part of the upload), and the same gunicorn command serves
   bench/upload_sink.py, a plain WSGI endpoint that streams a request body to
   disk, all on 127.0.0.1;
3. each round uploads the master once to each, alternating: through the tus
   endpoint (videos/tus.py) as the admin's uploader does (a POST, then PATCHes
   of --chunk-mb, the admin's chunk size, each on a new connection since sync
   workers close them), its body sent with sendfile() so that the client costs
   little; to the sink with `curl -T`; and to the sink with the tus client's
   sendfile PUT (the same client on both paths). The uploaded files are
   removed and the disk synced after each upload;
4. the project's workers' resident memory is sampled every 20 ms from after
   their first requests (VmRSS, /proc/PID/status), and their CPU time counted.

Ingest: a one-hour 1920x1080 25 fps H.264 master (AAC audio), made once by
`videos.media.generate_test_video` (a 10-second segment encoded, then
concatenated with `-f concat -c copy`) and kept in --cache-dir (shared with
bench/clips.py); bench/ingest_steps.py times the task's hash, probe and packet
index against `sha256sum` of the same file.

Writes its tables between their markers in docs/benchmarks.md ("Uploads:
broadcast masters"), unless --no-doc. Every process started here is killed
on the way out (bench/procs.py). All traffic stays on 127.0.0.1.

    .venv/bin/python bench/uploads.py                      # 5 GB, 2 rounds; the one-hour ingest, 3 runs
    .venv/bin/python bench/uploads.py --size-gb 0.5 --runs 1 --skip-ingest --no-doc
"""

import argparse
import datetime
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import procs  # noqa: E402  (bench/procs.py: processes, ports, machine facts, CPU and memory)
import sites  # noqa: E402  (bench/sites.py: the project's interpreter and gunicorn)
import stream  # noqa: E402  (bench/stream.py: the same project environment, master and servers)
from upload_clients import curl_put, sendfile_put, tus_upload  # noqa: E402

ROOT = sites.ROOT
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Uploads: broadcast masters"
START_MARK = "<!-- bench:uploads:start (written by bench/uploads.py: edit above this line only) -->"
END_MARK = "<!-- bench:uploads:end -->"
INTRO = """\
`bench/uploads.py` (`make bench-uploads`) measures the two costs issue 13 sets targets for.

- **Upload**: a master of random bytes sent through the file-system path, the
  tus endpoint (`videos/tus.py`), as the admin's uploader sends it (64 MiB
  PATCHes), to gunicorn serving the project (`cms.settings.production`, 2 sync
  workers); against `curl -T` of the same file to a plain WSGI endpoint that
  streams the body to disk (`bench/upload_sink.py`) under the same gunicorn
  command, all on 127.0.0.1, the servers alternating. Targets: at least 70 %
  of the plain endpoint's throughput; less than 50 MB of resident memory
  growth in the project's workers (VmRSS from /proc, sampled every 20 ms).
- **Ingest**: the task's own steps (`videos.tasks.ingest_master` run up to
  where the poster starts: one streaming pass that hashes the master, the
  probe, the packet index built and stored) on a one-hour 1080p H.264
  master, against `sha256sum` of the same file, both from the page cache.
  Target: at most 1.5 × `sha256sum`.

    .venv/bin/python bench/uploads.py                  # 5 GB upload, 2 rounds; one-hour ingest, 3 runs
    .venv/bin/python bench/uploads.py --size-gb 0.5 --runs 1 --skip-ingest --no-doc
"""
MB = 1_000_000
CSRF_TOKEN = "benchuploadsbenchuploadsbenchupl"  # noqa: S105  (no secret: 32 characters: a CSRF secret Django accepts as is)
UPLOAD_TARGETS = {"ratio": 0.70, "rss_mb": 50.0}
INGEST_TARGET = 1.5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-gb", type=float, default=5.0, help="size of the uploaded master, in GB [5]")
    parser.add_argument("--runs", type=int, default=2, help="rounds of uploads (one to each endpoint) [2]")
    parser.add_argument("--chunk-mb", type=int, default=64, help="tus PATCH size in MiB, as the admin's [64]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers [2]")
    parser.add_argument("--ingest-runs", type=int, default=3, help="timed ingests (and sha256sum) [3]")
    parser.add_argument("--skip-upload", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temporary folder")
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[uploads {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# --- preparation --------------------------------------------------------------------------------------------

LOG_IN = """
from django.conf import settings
from django.test import Client
from accounts.models import User
client = Client()
client.force_login(User.objects.create_superuser(email="bench@example.org", password=None))
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


def prepare(work: Path, logs: Path) -> tuple[dict, dict]:
    """The project's environment (migrated database) and the headers of a logged-in editor."""
    env = stream.project_env(work)
    env.update({"TASKS_BACKEND": "database", "UPLOAD_SINK_DIR": str(work / "sink")})
    (work / "sink").mkdir()
    procs.PROCESSES.run(
        [sites.PROJECT_PYTHON, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env=env,
        log_path=logs / "prepare.log",
        timeout=900,
    )
    session = subprocess.run(  # noqa: S603
        [sites.PROJECT_PYTHON, "manage.py", "shell", "-c", LOG_IN],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    cookie = f"sessionid={session}; csrftoken={CSRF_TOKEN}"
    return env, {"Cookie": cookie, "X-CSRFToken": CSRF_TOKEN, "Tus-Resumable": "1.0.0"}


# --- the upload run -----------------------------------------------------------------------------------------

# (key, label): the order of each round.
UPLOADERS = [
    ("curl", "`curl -T` to the plain endpoint"),
    ("tus", "tus endpoint, the admin's chunks"),
    ("sendfile", "the tus client's PUT to the plain endpoint"),
]


def received(work: Path, size: int) -> None:
    """Check what arrived, then remove it (and sync) so that the next upload starts from the same disk."""
    files = [p for p in (work / "media" / "videos" / "masters").rglob("*") if p.is_file()]
    files += [p for p in (work / "sink").iterdir() if p.is_file()]
    if [p.stat().st_size for p in files] != [size]:
        raise RuntimeError(f"expected one file of {size} bytes, found {[(p.name, p.stat().st_size) for p in files]}")
    for path in files:
        path.unlink()
    os.sync()


def measure_uploads(args, work: Path, logs: Path, env: dict, editor: dict) -> dict:
    size = round(args.size_gb * 1e9)
    master = work / "bench-master.mov"
    log(f"writing a {size / 1e9:.2f} GB master")
    stream.write_master(master, size)
    os.sync()
    project, project_port = stream.start_gunicorn(args, env, logs / "gunicorn.log")
    command = sites.gunicorn_command(sites.PROJECT_GUNICORN, "upload_sink:application", args.workers)
    sink_port = procs.free_port()
    sink = stream.start(
        [*command, "--pythonpath", str(BENCH_DIR), "-b", f"127.0.0.1:{sink_port}"], env, logs / "sink.log"
    )
    wait_until_listening(project_port, project, logs / "gunicorn.log")
    wait_until_listening(sink_port, sink, logs / "sink.log")
    stream.warm_workers(f"http://127.0.0.1:{project_port}/uploads/videos/tus/", args.workers)
    sampler = procs.MemorySampler(procs.children(project.pid))
    sampler.start()
    uploaders = {
        "curl": lambda: curl_put(sink_port, master),
        "tus": lambda: tus_upload(project_port, master, args.chunk_mb * 1024 * 1024, editor),
        "sendfile": lambda: sendfile_put(sink_port, master),
    }
    pids = {"curl": sink.pid, "tus": project.pid, "sendfile": sink.pid}
    seconds = {key: [] for key, _label in UPLOADERS}
    cpu = dict.fromkeys(seconds, 0.0)
    for number in range(args.runs):
        for key, _label in UPLOADERS:
            before = procs.cpu_seconds(pids[key], workers=True)
            seconds[key].append(uploaders[key]())
            cpu[key] += procs.cpu_seconds(pids[key], workers=True) - before
            received(work, size)
        log(f"round {number + 1}: " + ", ".join(f"{key} {size / MB / seconds[key][-1]:.0f} MB/s" for key in seconds))
    master.unlink()
    speeds = {key: [size / MB / value for value in values] for key, values in seconds.items()}
    medians = {key: statistics.median(values) for key, values in speeds.items()}
    return {
        "size": size,
        "speeds": speeds,
        "medians": medians,
        "cpu_per_gb": {key: value / (args.runs * size / 1e9) for key, value in cpu.items()},
        "ratio": medians["tus"] / medians["curl"],
        "memory": sampler.finish(),
    }


def wait_until_listening(port: int, process, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log_path.stem} exited:\n{procs.tail(log_path)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{log_path.stem} did not listen within {timeout:.0f} s:\n{procs.tail(log_path)}")


# --- the ingest run -----------------------------------------------------------------------------------------


def measure_ingest(args, env: dict, logs: Path) -> dict:
    log(f"ingest of a one-hour 1080p master, {args.ingest_runs} runs (bench/ingest_steps.py)")
    command = [sites.PROJECT_PYTHON, str(BENCH_DIR / "ingest_steps.py"), "--runs", str(args.ingest_runs)]
    output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)  # noqa: S603
    (logs / "ingest.log").write_text(output.stdout + output.stderr)
    if output.returncode:
        raise RuntimeError(f"bench/ingest_steps.py failed:\n{procs.tail(logs / 'ingest.log')}")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["ratio"] = result["median"]["total"] / result["sha256sum_median"]
    return result


# --- the report ---------------------------------------------------------------------------------------------


def check(ok: bool) -> str:
    return "✔" if ok else "✘"


def upload_markdown(results: dict, args) -> list[str]:
    curl = results["medians"]["curl"]
    growth = results["memory"]["rss_growth_mb"]
    lines = [
        f"Upload of a {results['size'] / 1e9:.2f} GB master, {args.runs} round(s), {args.chunk_mb} MiB tus PATCHes, "
        f"gunicorn with {args.workers} sync workers for each endpoint, SQLite.",
        "",
        "| upload | runs (MB/s) | median (MB/s) | against `curl -T` | server CPU per GB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for key, label in UPLOADERS:
        runs = ", ".join(f"{speed:.0f}" for speed in results["speeds"][key])
        median = results["medians"][key]
        lines.append(f"| {label} | {runs} | {median:.0f} | {median / curl:.2f} | {results['cpu_per_gb'][key]:.2f} s |")
    lines += [
        "",
        f"- tus against `curl -T`: **{results['ratio']:.2f}** (target ≥ {UPLOAD_TARGETS['ratio']:.2f}) "
        f"{check(results['ratio'] >= UPLOAD_TARGETS['ratio'])}",
        f"- Resident memory growth of the project's workers at the peak: **{growth:.1f} MB** "
        f"(VmHWM +{results['memory']['hwm_growth_mb']:.1f} MB; target < {UPLOAD_TARGETS['rss_mb']:.0f} MB) "
        f"{check(growth < UPLOAD_TARGETS['rss_mb'])}",
    ]
    return lines


def ingest_markdown(results: dict, args) -> list[str]:
    median = results["median"]
    lines = [
        f"Ingest of a one-hour 1080p25 H.264 master ({results['size'] / 1e9:.2f} GB, {results['duration']:.0f} s, "
        f"{results['packets']} packets indexed), {args.ingest_runs} timed runs after one untimed, "
        "alternating with `sha256sum`; medians:",
        "",
        "| step | seconds |",
        "| --- | ---: |",
        f"| hash (one streaming pass, progress written) | {median['hash']:.2f} |",
        f"| probe | {median['probe']:.2f} |",
        f"| packet index (built and stored) | {median['index']:.2f} |",
        f"| **hash + probe + packet index** | **{median['total']:.2f}** |",
        f"| `sha256sum` of the same file | {results['sha256sum_median']:.2f} |",
        "",
        f"- Against `sha256sum`: **{results['ratio']:.2f} ×** (target ≤ {INGEST_TARGET}) "
        f"{check(results['ratio'] <= INGEST_TARGET)}",
    ]
    return lines


def markdown(uploads, ingest, args, machine: dict, started: str) -> str:
    command = " ".join(sys.argv[1:])
    lines = [
        f"Run of **{started}** (UTC), `.venv/bin/python bench/uploads.py{' ' + command if command else ''}`.",
        "",
        f"- Machine: {machine['nproc']} CPUs ({machine['cpu_model'] or 'unknown model'}), {machine['memory']} RAM, "
        f"Linux {machine['kernel']}, Python {machine['python']}; load average at start "
        f"{' / '.join(f'{x:.2f}' for x in machine['load_average'])} (1/5/15 min): the machine is shared, so "
        "compare ratios, not absolute figures.",
        "",
    ]
    if uploads:
        lines += [*upload_markdown(uploads, args), ""]
    if ingest:
        lines += ingest_markdown(ingest, args)
    return "\n".join(lines).rstrip()


def write_doc(body: str) -> None:
    procs.write_marked_section(DOC, HEADING, INTRO, START_MARK, END_MARK, body)


def main():
    args = parse_args()
    for tool in ("curl", "sha256sum"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed")
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    machine = procs.machine_info()
    work = Path(tempfile.mkdtemp(prefix="cms-bench-uploads-"))
    logs = work / "logs"
    logs.mkdir()
    uploads = ingest = None
    try:
        env, editor = prepare(work, logs)
        if not args.skip_upload:
            uploads = measure_uploads(args, work, logs, env, editor)
        procs.PROCESSES.stop_all()
        if not args.skip_ingest:
            ingest = measure_ingest(args, env, logs)
    except BaseException:
        log(f"failed; logs in {logs}")
        args.keep_tmp = True
        raise
    finally:
        procs.PROCESSES.stop_all()
        (work / "bench-master.mov").unlink(missing_ok=True)  # 5 GB: never kept, even with --keep-tmp
        if not args.keep_tmp:
            shutil.rmtree(work, ignore_errors=True)
    body = markdown(uploads, ingest, args, machine, started)
    print()
    print(body)
    if not args.no_doc:
        write_doc(body)
        log(f"wrote {DOC.relative_to(ROOT)}")
    missed = uploads and (uploads["ratio"] < UPLOAD_TARGETS["ratio"] or uploads["memory"]["rss_growth_mb"] >= 50)
    if missed or (ingest and ingest["ratio"] > INGEST_TARGET):
        sys.exit(1)


if __name__ == "__main__":
    main()
