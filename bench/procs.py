"""Child processes, loopback HTTP, machine figures and what servers use (CPU, memory) for the benchmarks.

Every process started here is in its own process group and is killed (group
and all) on the way out, whatever happens.
"""

import contextlib
import datetime
import os
import platform
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path


def log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[bench {stamp}] {message}", flush=True)


# --- processes ------------------------------------------------------------------------------


class Processes:
    """Every child process, each in its own process group, killed (group and all) on the way out."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: list[subprocess.Popen] = []
        self._closing = False

    def start(self, command, **kwargs) -> subprocess.Popen:
        with self._lock:
            if self._closing:
                raise RuntimeError("stopping: no new process is started")
            process = subprocess.Popen(command, start_new_session=True, **kwargs)  # noqa: S603
            self._running.append(process)
        return process

    def run(self, command, *, log_path: Path, timeout: float, **kwargs) -> None:
        """Run to completion, output appended to `log_path`; raise with the log's tail if it fails."""
        with open(log_path, "a") as output:
            output.write(f"\n$ {' '.join(map(str, command))}\n")
            output.flush()
            process = self.start(command, stdout=output, stderr=subprocess.STDOUT, **kwargs)
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.stop(process)
                raise RuntimeError(f"{command[1:3]} took more than {timeout:.0f} s; see {log_path}") from None
            finally:
                self.forget(process)
        if code != 0:
            raise RuntimeError(f"{' '.join(map(str, command[:4]))} … failed ({code}):\n{tail(log_path)}")

    def forget(self, process):
        with self._lock:
            if process in self._running:
                self._running.remove(process)

    def stop(self, process: subprocess.Popen, grace: float = 10) -> None:
        if process.poll() is None:
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # The group may outlive its leader (e.g. a worker): make sure none of it is left.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        self.forget(process)

    def stop_all(self) -> None:
        with self._lock:
            self._closing = True
            running = list(self._running)
        for process in running:
            self.stop(process, grace=5)


PROCESSES = Processes()


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").replace("\r", "\n")
    except OSError:
        return ""
    return "\n".join([line for line in text.splitlines() if line.strip()][-lines:])


def free_port() -> int:
    """A free port on 127.0.0.1: any, or the first free one of BENCH_PORTS (e.g. `8300-8399`)."""
    first, _dash, last = os.environ.get("BENCH_PORTS", "0-0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            if port == 0 or port not in _given:
                _given.add(port)
                return sock.getsockname()[1]
    raise RuntimeError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


_given: set[int] = set()  # ports already handed to a server of this run (not yet bound by it)


def http_get(url: str, headers=None, timeout: float = 120) -> tuple[int, dict, bytes]:
    assert url.startswith("http://127.0.0.1:"), url  # loopback only
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- machine ------------------------------------------------------------------------------------


def machine_info() -> dict:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{total_kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory": memory,
        "load_average": os.getloadavg(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the children of `pid` (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:  # ppid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- what a server's processes use ----------------------------------------------------------


def cpu_seconds(pid: int, *, workers: bool) -> float:
    """CPU time (user + system) used so far by a process, or by its children (gunicorn's workers)."""
    if workers:
        return process_tree_cpu(pid)
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def memory_kb(pid: int) -> dict:
    """VmRSS and VmHWM (peak resident set) of a process, in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


class MemorySampler(threading.Thread):
    """The largest resident set of each worker seen since start, sampled every 20 ms."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.baseline = {pid: memory_kb(pid) for pid in pids}
        self.peak = {pid: self.baseline[pid]["VmRSS"] for pid in pids}
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(0.02):
            for pid in self.pids:
                with contextlib.suppress(OSError, KeyError):  # a worker restarted: its pid is gone
                    self.peak[pid] = max(self.peak[pid], memory_kb(pid)["VmRSS"])

    def finish(self) -> dict:
        self._done.set()
        self.join()
        end = {pid: memory_kb(pid) for pid in self.pids}
        return {
            "rss_growth_mb": max(self.peak[pid] - self.baseline[pid]["VmRSS"] for pid in self.pids) / 1024,
            "hwm_growth_mb": max(end[pid]["VmHWM"] - self.baseline[pid]["VmHWM"] for pid in self.pids) / 1024,
        }


def write_marked_section(doc, heading: str, intro: str, start_mark: str, end_mark: str, body: str) -> None:
    """Replace what lies between a benchmark's marks in `doc`; the first time, append its heading and intro."""
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    if start_mark in text and end_mark in text:
        head, rest = text.split(start_mark, 1)
        tail = rest.split(end_mark, 1)[1]
    else:
        head, tail = f"{text.rstrip()}\n\n{heading}\n\n{intro}\n", "\n"
    doc.write_text(f"{head}{start_mark}\n\n{body}\n\n{end_mark}{tail}")
