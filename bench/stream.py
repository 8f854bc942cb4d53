"""Downloads: a 1 GB master through the signed-link streaming view, against a plain static server on the same file.

1. a temporary folder holds MEDIA_ROOT with a --size-mb file of random bytes
   (one 16 MB block of os.urandom written over and over: quick to write, and
   neither sparse nor zeros, which a file system or a link could flatter) and
   a SQLite database, migrated; `manage.py shell` makes an account and a
   signed link to the file (downloads/streaming.py);
2. gunicorn serves the project (`cms.settings.production`, --workers sync
   workers), a second gunicorn the same with `--no-sendfile` (the fallback
   path), and `python -m http.server` serves MEDIA_ROOT, all on 127.0.0.1;
3. every worker answers a few HEAD requests (Django and the URLconf loaded),
   then the workers' resident memory is sampled every 20 ms until the end;
   one untimed download from each server puts the file in the page cache;
4. curl downloads the file --runs times from each server, the two servers
   alternating (the machine is shared and its speed drifts), and reports its
   `speed_download`; every download must be a 200 of the whole file. The
   servers' CPU time per download is counted too;
5. prints a Markdown table and writes it into docs/benchmarks.md, under
   "Downloads: streaming a master" (--no-doc: print only).

Every process started here is in its own process group and is killed on the
way out (bench/procs.py's `Processes`). All traffic stays on 127.0.0.1.

    .venv/bin/python bench/stream.py
    .venv/bin/python bench/stream.py --size-mb 256 --runs 5 --no-doc
"""

import argparse
import datetime
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import procs  # noqa: E402  (bench/procs.py: processes, ports, machine facts, CPU and memory)
import sites  # noqa: E402  (bench/sites.py: the project's interpreter and gunicorn)

ROOT = sites.ROOT
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Downloads: streaming a master"
START_MARK = "<!-- bench:stream:start (written by bench/stream.py: edit above this line only) -->"
END_MARK = "<!-- bench:stream:end -->"
INTRO = """\
`bench/stream.py` measures the file-system download view (`downloads/streaming.py`)
on a 1 GB master of random bytes: gunicorn (2 sync workers,
`cms.settings.production`) against `python -m http.server` serving the same
file, all on 127.0.0.1, each download by `curl` (`speed_download`), the servers
alternating. Targets: at least 80 % of the static server's throughput; less
than 50 MB of resident memory growth in the gunicorn workers (sampled every
20 ms from after their first requests to the end, warm-up download included).

The view hands the open file to gunicorn, which sends the range with
`sendfile()`: the bytes never enter Python, hence the low server CPU per GB.
The `--no-sendfile` row is the fallback that servers without sendfile (or
gunicorn serving TLS itself) take: the view's file wrapper read in 512 KiB
blocks. At these speeds curl, on the same two shared CPUs, is the bottleneck,
so MB/s swing from run to run (±30 %); the CPU column is the steadier
comparison.

    .venv/bin/python bench/stream.py                  # 1 GiB, 3 downloads per server
    .venv/bin/python bench/stream.py --size-mb 256 --runs 5 --no-doc
"""
FILE_NAME = "masters/bench-master.mov"
BLOCK = 16 * 1024 * 1024
MB = 1_000_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1024, help="size of the master, in MiB [1024]")
    parser.add_argument("--runs", type=int, default=3, help="timed downloads from each server [3]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers [2]")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temporary folder")
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[stream {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# --- preparation --------------------------------------------------------------------------------------------


def write_master(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(BLOCK)
    with open(path, "wb") as handle:
        remaining = size
        while remaining:
            written = handle.write(block[: min(BLOCK, remaining)])
            remaining -= written


def project_env(work: Path) -> dict:
    env = dict(os.environ)
    for name in list(env):
        if name.startswith(("DJANGO_", "API_", "DOWNLOAD_", "AWS_")):
            del env[name]
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48)[:64],
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "False",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            "REDIS_URL": "",
            "TASKS_BACKEND": "immediate",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


SIGN_LINK = f"""
import datetime
from django.utils import timezone
from accounts.models import User
from downloads.streaming import signed_file_url
user = User.objects.create_user(email="bench@example.org")
print(signed_file_url(name={FILE_NAME!r}, user=user, filename="bench-master.mov",
                      expires_at=timezone.now() + datetime.timedelta(hours=6)))
"""


def signed_link(env: dict, log_path: Path) -> str:
    procs.PROCESSES.run(
        [sites.PROJECT_PYTHON, "manage.py", "migrate", "--no-input"], cwd=ROOT, env=env, log_path=log_path, timeout=900
    )
    output = subprocess.run(  # noqa: S603
        [sites.PROJECT_PYTHON, "manage.py", "shell", "-c", SIGN_LINK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    return output.strip().splitlines()[-1]


# --- servers and memory -------------------------------------------------------------------------------------


def start(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    with open(log_path, "a") as output:
        return procs.PROCESSES.start(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_for(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited ({process.returncode}):\n{procs.tail(log_path)}")
        try:
            if head_status(url) == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s:\n{procs.tail(log_path)}")


def head_status(url: str) -> int:
    assert url.startswith("http://127.0.0.1:"), url  # loopback only
    request = urllib.request.Request(url, method="HEAD")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def curl(url: str, size: int) -> float:
    """MB/s of one download of the whole file."""
    output = subprocess.run(  # noqa: S603
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{speed_download}", url],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout.split()
    status, received, speed = int(output[0]), int(output[1]), float(output[2])
    if (status, received) != (200, size):
        raise RuntimeError(f"{url}: HTTP {status}, {received} bytes of {size}")
    return speed / MB


# --- the run ------------------------------------------------------------------------------------------------


# (key, label): the order of each round of downloads.
SERVERS = [
    ("static", "`python -m http.server` (static)"),
    ("view", "gunicorn, download view"),
    ("view_no_sendfile", "gunicorn `--no-sendfile`, download view (Python reads the file)"),
]


def start_gunicorn(args, env: dict, log_path: Path, *extra: str) -> tuple[subprocess.Popen, int]:
    port = procs.free_port()
    command = sites.gunicorn_command(sites.PROJECT_GUNICORN, "cms.wsgi:application", args.workers)
    return start([*command, "-b", f"127.0.0.1:{port}", *extra], env, log_path), port


def warm_workers(url: str, workers: int) -> None:
    """Every sync worker past its first requests (Django's URLconf, the database connection): concurrent
    requests cannot all go to one worker."""
    for _ in range(5):
        threads = [threading.Thread(target=head_status, args=(url,)) for _ in range(4 * workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def measure(args, work: Path, logs: Path) -> dict:
    size = args.size_mb * 1024 * 1024
    env = project_env(work)
    log(f"writing a {args.size_mb} MiB master")
    write_master(work / "media" / FILE_NAME, size)
    log("migrating a SQLite database, signing a link")
    link = signed_link(env, logs / "prepare.log")

    static_port = procs.free_port()
    static = start(
        [
            sys.executable,
            "-m",
            "http.server",
            str(static_port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(work / "media"),
        ],
        env,
        logs / "http-server.log",
    )
    gunicorn, gunicorn_port = start_gunicorn(args, env, logs / "gunicorn.log")
    fallback, fallback_port = start_gunicorn(args, env, logs / "gunicorn-no-sendfile.log", "--no-sendfile")
    urls = {
        "static": f"http://127.0.0.1:{static_port}/{FILE_NAME}",
        "view": f"http://127.0.0.1:{gunicorn_port}{link}",
        "view_no_sendfile": f"http://127.0.0.1:{fallback_port}{link}",
    }
    processes = {"static": static, "view": gunicorn, "view_no_sendfile": fallback}
    for key, url in urls.items():
        wait_for(url, processes[key], logs / "prepare.log")
    samplers = {}
    for key in ("view", "view_no_sendfile"):
        warm_workers(urls[key], args.workers)
        samplers[key] = procs.MemorySampler(procs.children(processes[key].pid))
        samplers[key].start()

    log("warm-up: one download from each server")
    for url in urls.values():
        curl(url, size)
    speeds = {key: [] for key, _label in SERVERS}
    cpu = dict.fromkeys(speeds, 0.0)
    for number in range(args.runs):
        for key, _label in SERVERS:
            before = procs.cpu_seconds(processes[key].pid, workers=key != "static")
            speeds[key].append(curl(urls[key], size))
            cpu[key] += procs.cpu_seconds(processes[key].pid, workers=key != "static") - before
        log(f"run {number + 1}: " + ", ".join(f"{key} {speeds[key][-1]:.0f} MB/s" for key in speeds))
    medians = {key: statistics.median(values) for key, values in speeds.items()}
    return {
        "size": size,
        "speeds": speeds,
        "medians": medians,
        "cpu_per_gb": {key: seconds / (args.runs * size / 1e9) for key, seconds in cpu.items()},
        "ratio": medians["view"] / medians["static"],
        "memory": {key: sampler.finish() for key, sampler in samplers.items()},
    }


def markdown(results: dict, args, machine: dict, started: str) -> str:
    def runs(key):
        return ", ".join(f"{speed:.0f}" for speed in results["speeds"][key])

    def memory(key):
        figures = results["memory"][key]
        return f"{figures['rss_growth_mb']:.1f} MB (VmHWM +{figures['hwm_growth_mb']:.1f} MB)"

    static = results["medians"]["static"]
    command = "bench/stream.py" + (f" --size-mb {args.size_mb}" if args.size_mb != 1024 else "")
    command += f" --runs {args.runs}" if args.runs != 3 else ""
    growth = results["memory"]["view"]["rss_growth_mb"]
    lines = [
        f"Run of **{started}** (UTC), `.venv/bin/python {command}`: a {results['size'] / 1024**3:.2f} GiB file, "
        f"{args.runs} timed downloads from each server after one untimed.",
        "",
        f"- Machine: {machine['nproc']} CPUs ({machine['cpu_model'] or 'unknown model'}), {machine['memory']} RAM, "
        f"Linux {machine['kernel']}, Python {machine['python']}; load average at start "
        f"{' / '.join(f'{x:.2f}' for x in machine['load_average'])} (1/5/15 min): the machine is shared, so "
        "compare ratios, not absolute figures.",
        f"- gunicorn: {args.workers} sync workers, `cms.settings.production`, SQLite.",
        "",
        "| server | downloads (MB/s) | median (MB/s) | against static | server CPU per GB | workers' memory growth |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, label in SERVERS:
        median = results["medians"][key]
        lines.append(
            f"| {label} | {runs(key)} | {median:.0f} | {median / static:.2f} | "
            f"{results['cpu_per_gb'][key]:.2f} s | {memory(key) if key in results['memory'] else '–'} |"
        )
    lines += [
        "",
        f"- The view against the static server: **{results['ratio']:.2f}** (target ≥ 0.80) "
        f"{'✔' if results['ratio'] >= 0.8 else '✘'}",
        f"- Resident memory growth of the view's gunicorn workers at the peak: **{growth:.1f} MB** (target < 50 MB) "
        f"{'✔' if growth < 50 else '✘'}",
    ]
    return "\n".join(lines)


def write_doc(body: str) -> None:
    procs.write_marked_section(DOC, HEADING, INTRO, START_MARK, END_MARK, body)


def main():
    args = parse_args()
    if shutil.which("curl") is None:
        sys.exit("curl is needed (apt-get install curl)")
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    machine = procs.machine_info()
    work = Path(tempfile.mkdtemp(prefix="cms-bench-stream-"))
    logs = work / "logs"
    logs.mkdir()
    try:
        results = measure(args, work, logs)
    except BaseException:
        log(f"failed; logs in {logs}")
        args.keep_tmp = True
        raise
    finally:
        procs.PROCESSES.stop_all()
        if not args.keep_tmp:
            shutil.rmtree(work, ignore_errors=True)
    body = markdown(results, args, machine, started)
    print()
    print(body)
    if not args.no_doc:
        write_doc(body)
        log(f"wrote {DOC.relative_to(ROOT)}")
    if results["ratio"] < 0.8 or results["memory"]["view"]["rss_growth_mb"] >= 50:
        sys.exit(1)


if __name__ == "__main__":
    main()
