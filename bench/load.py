"""A small HTTP load generator: the fallback of bench/run.py when wrk is not installed.

It reports the same figures as bench/wrk_traffic.lua: requests, duration,
bytes, errors, latency percentiles and responses by status. Like
`wrk -t T -c C -d D`, it runs T processes (so the GIL of one does not cap
the load) with C/T threads each; every thread keeps an `http.client`
connection open across requests (the server may close it after each
response, as gunicorn's sync workers do: it is then reopened, as wrk does).

    python bench/load.py http://127.0.0.1:8000/api/v1/pages/ -t 2 -c 8 -d 15 -H "If-None-Match: \"abc\""

Only loopback addresses are accepted: this is a benchmark tool, not a load
tester for other hosts.
"""

import argparse
import http.client
import ipaddress
import json
import multiprocessing
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost"}


def check_loopback(host: str) -> None:
    if host in LOOPBACK_NAMES:
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"bench/load.py only loads loopback addresses, not {host!r}")


def _percentile(sorted_values: list[float], percent: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(percent / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def _thread_loop(host, port, targets, start, headers, deadline, latencies, statuses, errors, received):
    connection = None
    index = start
    while True:
        target, etag = targets[index % len(targets)]
        index += 1
        sent = {**headers, "If-None-Match": etag} if etag else headers
        started = time.perf_counter()
        if started >= deadline:
            break
        try:
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=30)
            connection.request("GET", target, headers=sent)
            response = connection.getresponse()
            body = response.read()
            latencies.append(time.perf_counter() - started)
            statuses[response.status] = statuses.get(response.status, 0) + 1
            received[0] += len(body)
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as exc:
            kind = "timeout" if isinstance(exc, TimeoutError) else "read"
            if isinstance(exc, ConnectionRefusedError):
                kind = "connect"
            errors[kind] = errors.get(kind, 0) + 1
            if connection is not None:
                connection.close()
            connection = None
            if kind == "connect":
                time.sleep(0.01)
    if connection is not None:
        connection.close()


def _process(args):
    host, port, targets, first, headers, duration, connections = args
    started = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
    deadline = started + duration
    latencies, statuses, errors, received = [], {}, {}, [0]
    threads = [
        threading.Thread(
            target=_thread_loop,
            args=(host, port, targets, first + n * 7919, headers, deadline, latencies, statuses, errors, received),
        )
        for n in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, errors, received[0], started, time.perf_counter()


def read_targets(path, conditional: bool) -> list[tuple[str, str | None]]:
    """The (path, ETag or None) lines of a URL list (bench/traffic.py writes them; tab-separated)."""
    targets = []
    for line in Path(path).read_text().splitlines():
        target, _tab, etag = line.partition("\t")
        if target:
            targets.append((target, etag if conditional and etag else None))
    return targets


def run(
    url: str,
    *,
    duration: float = 15,
    threads: int = 2,
    connections: int = 8,
    headers=None,
    url_file=None,
    conditional: bool = False,
) -> dict:
    """Load `url` (or each path of `url_file` in turn) for `duration` seconds; wrk_traffic.lua's figures."""
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    check_loopback(host)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    targets = read_targets(url_file, conditional) if url_file else [(target, None)]
    threads = max(1, min(threads, connections))
    shares = [connections // threads + (1 if i < connections % threads else 0) for i in range(threads)]
    jobs = [(host, port, targets, i * 104729, dict(headers or {}), duration, share) for i, share in enumerate(shares)]
    with multiprocessing.get_context("spawn").Pool(threads) as pool:
        results = pool.map(_process, jobs)
    # From the first process's start to the last one's end: the pool's own start-up is not load.
    elapsed = max(r[5] for r in results) - min(r[4] for r in results)
    latencies, statuses, errors, received = [], {}, {"connect": 0, "read": 0, "write": 0, "timeout": 0}, 0
    for lat, stat, err, size, _started, _ended in results:
        latencies.extend(lat)
        for status, count in stat.items():
            statuses[status] = statuses.get(status, 0) + count
        for kind, count in err.items():
            errors[kind] = errors.get(kind, 0) + count
        received += size
    latencies.sort()
    errors["status"] = sum(count for status, count in statuses.items() if status >= 400)
    micro = [value * 1e6 for value in latencies]
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "bytes": received,
        "errors": errors,
        "latency_us": {
            "p50": int(_percentile(micro, 50)),
            "p90": int(_percentile(micro, 90)),
            "p99": int(_percentile(micro, 99)),
            "max": int(micro[-1]) if micro else 0,
            "mean": round(sum(micro) / len(micro), 1) if micro else 0.0,
        },
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("-t", "--threads", type=int, default=2, help="processes (like wrk's threads)")
    parser.add_argument("-c", "--connections", type=int, default=8)
    parser.add_argument("-d", "--duration", type=float, default=15, help="seconds")
    parser.add_argument("-H", "--header", action="append", default=[], help='"Name: value", repeatable')
    args = parser.parse_args()
    headers = dict(header.split(":", 1) for header in args.header)
    headers = {name.strip(): value.strip() for name, value in headers.items()}
    result = run(args.url, duration=args.duration, threads=args.threads, connections=args.connections, headers=headers)
    print("BENCH_JSON " + json.dumps(result))


if __name__ == "__main__":
    main()
