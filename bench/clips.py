"""Cutting clips: `downloads.clips.cut_clip` against the bare ffmpeg command on 1080p25 masters.

Masters (generated once, cached in --cache-dir; about 2.5 GB in all):
a one-hour and a five-minute long-GOP H.264 master (2-second GOPs, AAC audio)
and a five-minute ProRes 422 Proxy master (PCM audio), all 1920x1080 at 25
fps, made with `generate_test_video` (one 10-second segment repeated).

Cases, each run --repeat times after one unmeasured warm-up (so every case
reads from the page cache), ours and the bare command alternating so that the
drift of this shared machine hits both alike; figures are medians:

- a 60-second `fast` clip from the middle and from the end of the one-hour
  master and from the middle of the five-minute one, against
  `ffmpeg -ss X -i master -t 60 -c copy out.mp4`; cut from the master's packet
  index (`downloads.packet_index`, built once per master before the timing, its
  build time reported apart), as the worker does once the master is indexed;
- the same clip from the one-hour and the five-minute long-GOP masters,
  the two cuts alternating (each first in half the pairs), three times as
  many runs: the "no slower from the longer master" target;
- the same from the ProRes master (stream-copied frame-exactly);
- a 60-second `exact` clip from the one-hour master (re-encoded to 1080p25
  H.264/AAC), as seconds of video per second.

Writes the table between its markers in docs/benchmarks.md ("Downloads:
cutting clips"), unless --no-doc.

    .venv/bin/python bench/clips.py
    .venv/bin/python bench/clips.py --repeat 5 --no-doc
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from downloads import clips, packet_index  # noqa: E402
from videos import media  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Downloads: cutting clips"
START_MARK = "<!-- bench:clips:start (written by bench/clips.py: edit above this line only) -->"
END_MARK = "<!-- bench:clips:end -->"
DEFAULT_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cms-bench" / "clips"

# name: generate_test_video options. The names carry the options: change one, get a new file.
MASTERS = {
    "h264-1080p25-gop50-1h.mp4": {"codec": "h264", "duration": 3600.0, "gop": 50},
    "h264-1080p25-gop50-5min.mp4": {"codec": "h264", "duration": 300.0, "gop": 50},
    "prores-1080p25-5min.mov": {"codec": "prores", "duration": 300.0},
}


def log(message: str) -> None:
    print(f"[clips {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="where the masters are kept")
    parser.add_argument("--repeat", type=int, default=3, help="measured exact clips (default 3)")
    parser.add_argument(
        "--copy-repeat", type=int, default=7, help="measured runs of each stream-copy case (default 7: they are short)"
    )
    parser.add_argument("--length", type=float, default=60.0, help="clip length in seconds (default 60)")
    parser.add_argument("--no-doc", action="store_true", help="print the table only")
    return parser.parse_args()


def ensure_masters(cache_dir: Path) -> dict[str, Path]:
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, options in MASTERS.items():
        path = cache_dir / name
        if not path.is_file():
            log(f"generating {name} (once)")
            started = time.perf_counter()
            media.generate_test_video(path, width=1920, height=1080, fps=25, loop_segment=10.0, **options)
            log(f"  {path.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - started:.0f} s")
        paths[name] = path
    return paths


def bare_copy(master: Path, out: Path, start: float, length: float) -> None:
    """The reference: what one would type to cut the same clip by hand."""
    command = [media.ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    command += ["-ss", f"{start}", "-i", str(master), "-t", f"{length}", "-c", "copy", str(out)]
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL)  # noqa: S603


def ours(
    master: Path, out: Path, start: float, length: float, *, mode: str, all_intra: bool, index=None
) -> clips.ClipCut:
    duration = MASTERS[master.name]["duration"]
    return clips.cut_clip(
        master, out, start=start, end=start + length, mode=mode, all_intra=all_intra, duration=duration, index=index
    )


def build_index(master: Path) -> dict:
    """The packet index the worker would have, kept in memory; its size is what the database would store."""
    seconds, built = timed(packet_index.build, master)
    return {
        "index": packet_index.in_memory(built),
        "seconds": seconds,
        "bytes": built.stored_bytes,
        "packets": built.packets,
    }


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def measure_copy(master: Path, start: float, length: float, repeat: int, *, all_intra: bool, work: Path, index) -> dict:
    out_ours, out_bare = work / f"ours{master.suffix}", work / f"bare{master.suffix}"
    ours_times, bare_times, ratios = [], [], []
    cut = None
    for run in range(repeat + 1):
        for path in (out_ours, out_bare):
            path.unlink(missing_ok=True)
        ours_time, cut = timed(ours, master, out_ours, start, length, mode=clips.FAST, all_intra=all_intra, index=index)
        bare_time, _ = timed(bare_copy, master, out_bare, start, length)
        if run == 0:  # warm-up: page cache, ffmpeg binary, PyAV
            continue
        ours_times.append(ours_time)
        bare_times.append(bare_time)
        ratios.append(ours_time / bare_time)
    result = {
        "ours": statistics.median(ours_times),
        "bare": statistics.median(bare_times),
        "ratio": statistics.median(ratios),
        "cut": cut,
        "size": out_ours.stat().st_size,
    }
    for path in (out_ours, out_bare):
        path.unlink(missing_ok=True)
    return result


def measure_hour_against_five(hour: Path, five: Path, start: float, length: float, repeat: int, *, work: Path, indexes):
    """The same clip from both long-GOP masters, the two cuts alternating, so the machine's drift hits both alike."""
    times = {hour: [], five: []}
    ratios = []
    for run in range(repeat + 1):
        pair = {}
        for master in (hour, five) if run % 2 else (five, hour):  # each goes first in half the runs
            out = work / f"pair-{master.stem}{master.suffix}"
            out.unlink(missing_ok=True)
            index = indexes[master.name]["index"]
            pair[master], _ = timed(ours, master, out, start, length, mode=clips.FAST, all_intra=False, index=index)
            out.unlink(missing_ok=True)
        if run == 0:
            continue
        for master, seconds in pair.items():
            times[master].append(seconds)
        ratios.append(pair[hour] / pair[five])
    return {
        "hour": statistics.median(times[hour]),
        "five": statistics.median(times[five]),
        "ratio": statistics.median(ratios),
        "runs": repeat,
    }


def measure_exact(master: Path, start: float, length: float, repeat: int, *, work: Path) -> dict:
    out = work / "exact.mp4"
    times = []
    cut = None
    for _ in range(repeat):
        out.unlink(missing_ok=True)
        elapsed, cut = timed(ours, master, out, start, length, mode=clips.EXACT, all_intra=False)
        times.append(elapsed)
    seconds = statistics.median(times)
    result = {"ours": seconds, "throughput": (cut.end - cut.start) / seconds, "cut": cut, "size": out.stat().st_size}
    out.unlink(missing_ok=True)
    return result


def timecode(seconds: float) -> str:
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{seconds:05.2f}"


def open_time(master: Path, repeat: int) -> float:
    """Opening the master with PyAV: for MP4/MOV that is reading its whole index (the moov atom)."""
    import av

    times = [timed(lambda: av.open(str(master)).close())[0] for _ in range(repeat)]
    return statistics.median(times)


def main():
    args = parse_args()
    masters = ensure_masters(args.cache_dir)
    hour, five, prores = (masters[name] for name in MASTERS)
    length = args.length
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows = []
    indexes = {}
    for name, path in masters.items():
        log(f"packet index of {name}")
        indexes[name] = build_index(path)
        log(f"  {indexes[name]['seconds']:.1f} s, {indexes[name]['bytes'] / 1e6:.2f} MB")
    with tempfile.TemporaryDirectory(prefix="clips-bench-") as work_dir:
        work = Path(work_dir)
        copy_cases = [
            ("fast (long-GOP H.264)", hour, "1 h", 120.3, False),
            ("fast (long-GOP H.264)", hour, "1 h", 1800.3, False),
            ("fast (long-GOP H.264)", hour, "1 h", 3600 - length - 60 + 0.3, False),
            ("fast (long-GOP H.264)", five, "5 min", 120.3, False),
            ("intra (ProRes 422 Proxy)", prores, "5 min", 120.3, True),
        ]
        for label, master, master_label, start, all_intra in copy_cases:
            log(f"{label}: {length:g} s from {master.name} at {timecode(start)}")
            index = indexes[master.name]["index"]
            result = measure_copy(master, start, length, args.copy_repeat, all_intra=all_intra, work=work, index=index)
            log(f"  ours {result['ours']:.2f} s, bare ffmpeg {result['bare']:.2f} s, ratio {result['ratio']:.2f}")
            rows.append((label, master_label, start, result))
        log(f"one-hour against five-minute master, alternating: {length:g} s at {timecode(120.3)}")
        head_to_head = measure_hour_against_five(
            hour, five, 120.3, length, 3 * args.copy_repeat, work=work, indexes=indexes
        )
        log(f"  {head_to_head['hour']:.3f} s against {head_to_head['five']:.3f} s, ratio {head_to_head['ratio']:.2f}")
        opens = {name: open_time(path, args.copy_repeat) for name, path in masters.items()}
        log(f"exact: {length:g} s from {hour.name} at {timecode(1800.3)}")
        exact = measure_exact(hour, 1800.3, length, args.repeat, work=work)
        log(f"  {exact['ours']:.1f} s, {exact['throughput']:.2f} s of video per second")
    elapsed = time.perf_counter() - started

    table = markdown(rows, exact, opens, indexes, head_to_head, args, load_before, elapsed, masters)
    print()
    print(table)
    if not args.no_doc:
        write_doc(table)
        log(f"wrote {DOC.relative_to(ROOT)}")


def markdown(rows, exact, opens, indexes, head_to_head, args, load_before, elapsed, masters) -> str:
    now = datetime.datetime.now(datetime.UTC)
    sizes = ", ".join(f"`{name}` {path.stat().st_size / 1e9:.2f} GB" for name, path in masters.items())
    command = "bench/clips.py"
    if (args.repeat, args.copy_repeat, args.length) != (3, 7, 60.0):
        command += f" --repeat {args.repeat} --copy-repeat {args.copy_repeat} --length {args.length:g}"
    lines = [
        f"Run of **{now:%Y-%m-%d %H:%M}** (UTC), `.venv/bin/python {command}`, "
        f"{elapsed / 60:.0f} minutes with the masters cached.",
        "",
        f"- Machine: {os.cpu_count()} CPUs, shared; load average at start "
        f"{load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f} (1/5/15 min). "
        f"ffmpeg {ffmpeg_version()} (imageio-ffmpeg's static build), PyAV {av_version()}.",
        f"- Masters, 1920x1080 at 25 fps, in the page cache: {sizes}.",
        f"- {args.length:g}-second clips. Stream copies: {args.copy_repeat} measured runs per case after one "
        f"warm-up, ours and the bare command alternating; the ratio is the median of the runs' ratios. "
        f"*Ours* is `cut_clip` end to end from the master's packet index: planning from the index, one read "
        "of the clip's bytes muxed in-process by PyAV, reading the clip back to check it.",
        "",
        f"| clip | master | in point asked | ours | bare `ffmpeg -ss X -i master -t {args.length:g} -c copy` "
        "| ratio | clip written (in → out), size |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, master_label, start, result in rows:
        cut = result["cut"]
        lines.append(
            f"| {label} | {master_label} | {timecode(start)} | {result['ours']:.3f} s | {result['bare']:.3f} s "
            f"| {result['ratio']:.2f}× | {timecode(cut.start)} → {timecode(cut.end)}, "
            f"{result['size'] / 1e6:.0f} MB |"
        )
    cut = exact["cut"]
    lines += [
        "",
        f"| clip ({args.repeat} runs, median) | master | in point asked | time | throughput "
        "| clip written (in → out), size |",
        "| --- | --- | ---: | ---: | ---: | --- |",
        f"| exact: H.264 1920x1080 25p, CRF 18 `{clips.ffmpeg.X264_PRESET}`, AAC | 1 h | {timecode(1800.3)} "
        f"| {exact['ours']:.1f} s | **{exact['throughput']:.2f} s of video per second** "
        f"| {timecode(cut.start)} → {timecode(cut.end)}, {exact['size'] / 1e6:.0f} MB |",
    ]
    lines += [
        "",
        "| master | packet index: build (once, at ingest) | packets | stored |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, built in indexes.items():
        lines.append(f"| `{name}` | {built['seconds']:.1f} s | {built['packets']:,} | {built['bytes'] / 1e6:.2f} MB |")
    hour_rows = [row[3] for row in rows[:3]]
    hour_early, five_early = rows[0][3], rows[3][3]
    open_hour, open_five = (opens[name] * 1000 for name in list(MASTERS)[:2])
    lines += [
        "",
        f"- Fast clip from the one-hour master against the bare command (target ≤ 2×): "
        f"**{min(r['ratio'] for r in hour_rows):.2f}× to {max(r['ratio'] for r in hour_rows):.2f}×** "
        "whatever the in point.",
        f"- One-hour against five-minute master, same in point (target: no slower), the two cuts alternating "
        f"over {head_to_head['runs']} pairs: **{head_to_head['hour']:.3f} s against {head_to_head['five']:.3f} s, "
        f"a median ratio of {head_to_head['ratio']:.2f}** (in the table above, measured one case after the other: "
        f"{hour_early['ours']:.3f} s against {five_early['ours']:.3f} s; "
        f"bare command: {hour_early['bare']:.3f} s against {five_early['bare']:.3f} s). "
        f"Opening a master reads its whole MP4 index, {open_hour:.0f} ms for the hour "
        f"against {open_five:.0f} ms with PyAV: the bare command pays it, a cut from the packet index does not.",
    ]
    return "\n".join(lines)


def ffmpeg_version() -> str:
    output = subprocess.run(  # noqa: S603
        [media.ffmpeg_binary(), "-version"], capture_output=True, text=True, check=False
    ).stdout
    return output.split()[2] if output else "?"


def av_version() -> str:
    import av

    return av.__version__


def write_doc(table: str) -> None:
    text = DOC.read_text()
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        tail = rest.split(END_MARK, 1)[1]
        DOC.write_text(f"{head}{START_MARK}\n\n{table}\n\n{END_MARK}{tail}")
    else:  # first run: the section goes at the end
        DOC.write_text(f"{text.rstrip()}\n\n{HEADING}\n\n{START_MARK}\n\n{table}\n\n{END_MARK}\n")


if __name__ == "__main__":
    main()
