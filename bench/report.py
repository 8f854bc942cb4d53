"""The figures of a bench/run.py run: medians over rounds, ratios to stock, and docs/benchmarks.md's results."""

import statistics
from pathlib import Path

from measure import MODES

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- bench:results:start (written by bench/run.py: edit above this line only) -->"
END_MARK = "<!-- bench:results:end -->"

MEDIAN_FIELDS = ("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "app_cpu_ms_per_request", "bytes_per_request")
SCENARIO_TITLES = {
    "hot": "(a) one hot URL: the news listing's first page",
    "offsets": "(b) the news listing at random offsets (`fields=*`, 20 items), each request a different URL",
    "mix": "(c) a Zipf mix of listings, details, finds and searches over every page in both languages",
}
MODE_LABELS = {
    "stock": "stock Wagtail API v2",
    "uncached": "project, response cache off",
    "cached": "project, cache warm",
    "304": "project, If-None-Match → 304",
}
# The goals: (scenario, mode, least ratio to stock req/s; None: the p99 goal only).
GOALS = [("offsets", "uncached", 10), ("hot", "cached", 150), ("mix", "cached", 50)]
P99_GOAL_MS = 50


def aggregate(case_runs: list[dict]) -> dict:
    """One case over its rounds: the median of each figure, every round kept under `rounds`."""
    case = {"rounds": case_runs, "requests": sum(r["requests"] for r in case_runs)}
    for name in MEDIAN_FIELDS:
        values = [r[name] for r in case_runs if r.get(name) is not None]
        case[name] = round(statistics.median(values), 2) if values else None
    case["unexpected_responses"] = sum(r["unexpected_responses"] for r in case_runs)
    case["socket_errors"] = sum(r["socket_errors"] for r in case_runs)
    return case


def ratio(db: dict, key: str, stock_key: str) -> float | None:
    """The median over rounds of `key`'s req/s over `stock_key`'s (each pair ran within a minute)."""
    own = db["cases"].get(key, {}).get("rounds", [])
    stock = db["cases"].get(stock_key, {}).get("rounds", [])
    values = [o["rps"] / s["rps"] for o, s in zip(own, stock, strict=False) if o.get("rps") and s.get("rps")]
    return round(statistics.median(values), 1) if values else None


def finish(db: dict) -> dict:
    """`db` with its cases aggregated from its runs and each project case's ratio to stock."""
    db["cases"] = {key: aggregate(runs) for key, runs in db.get("runs", {}).items()}
    for key, case in db["cases"].items():
        scenario, connections, mode = key.split("/")
        if mode != "stock":
            case["x_stock"] = ratio(db, key, f"{scenario}/{connections}/stock")
    return db


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _goal_lines(db: dict, connection_counts: list[int]) -> list[str]:
    lines = []
    widest = f"c{max(connection_counts)}"
    for scenario, mode, least in GOALS:
        case = db["cases"].get(f"{scenario}/{widest}/{mode}")
        if not case:
            continue
        reached = case.get("x_stock")
        verdict = "meets" if reached is not None and reached >= least else "**misses**"
        lines.append(
            f"- {scenario} {mode}, {widest}: **{fmt(reached)}×** stock req/s ({verdict} the {least}× goal), "
            f"p99 {fmt(case['p99_ms'])} ms."
        )
    slow = [
        f"{key} ({fmt(case['p99_ms'])} ms)"
        for key, case in db["cases"].items()
        if key.split("/")[1] == widest and not key.endswith("/stock") and (case["p99_ms"] or 0) > P99_GOAL_MS
    ]
    lines.append(
        f"- p99 ≤ {P99_GOAL_MS} ms at {widest[1:]} connections: "
        + ("every project case meets it." if not slow else "**missed** by " + ", ".join(slow) + ".")
    )
    return lines


def _database_section(db: dict, cfg: dict) -> list[str]:
    title = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(db["database"], db["database"])
    cache = "Redis" if db.get("cache") == "redis" else "the embedded default (disk cache shared by the workers)"
    lines = [f"### {title}, cache: {cache}", ""]
    if db.get("skipped"):
        return lines + [f"Skipped: {db['skipped']}", ""]
    if db.get("error"):
        lines += [f"**Failed**: `{db['error']}`", ""]
        if not db.get("cases"):
            return lines
    lines += _goal_lines(db, cfg["connection_counts"]) + [""]
    described = db.get("traffic", {}).get("described", {})
    for scenario in ("mix", "hot", "offsets"):  # the headline first
        lines += [f"#### {SCENARIO_TITLES[scenario]}", ""]
        shape = described.get(f"project/{scenario}")
        if shape:
            stock_shape = described.get(f"stock/{scenario}") or {}
            lines += [
                f"Project list: {shape['requests']:,} requests over {shape['distinct']:,} distinct URLs (the 1 % "
                f"most asked take {100 * shape['top_1pct_share']:.0f} % of requests); stock list: "
                f"{stock_shape.get('requests', 0):,} over {stock_shape.get('distinct', 0):,}.",
                "",
            ]
        lines += [
            "| conns | server | req/s | p50 ms | p99 ms | app CPU ms/req | × stock req/s |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for connections in cfg["connection_counts"]:
            for mode in MODES:
                case = db["cases"].get(f"{scenario}/c{connections}/{mode}")
                if case is None:
                    continue
                warn = f" ⚠ {case['unexpected_responses']} unexpected statuses" if case["unexpected_responses"] else ""
                times = "–" if mode == "stock" else f"{fmt(case.get('x_stock'))}×"
                lines.append(
                    f"| {connections} | {MODE_LABELS[mode]}{warn} | {fmt(case['rps'])} | {fmt(case['p50_ms'])} "
                    f"| {fmt(case['p99_ms'])} | {fmt(case['app_cpu_ms_per_request'], 2)} | {times} |"
                )
        lines.append("")
    queries = db.get("queries", {})
    if queries.get("project"):
        own, stock = queries["project"], queries.get("stock", {})
        cells = [f"{e} {own.get(f'{e}/uncached', {}).get('queries', '–')}" for e in ("listing", "detail", "find")]
        cached = {own.get(f"{e}/cached", {}).get("queries") for e in ("listing", "detail", "find")}
        lines += [
            f"SQL queries per request (hot URLs): project uncached {', '.join(cells)}; cached "
            f"{', '.join(str(c) for c in sorted(cached, key=str))}; stock listing "
            f"{stock.get('listing/stock', {}).get('queries', '–')}, detail "
            f"{stock.get('detail/stock', {}).get('queries', '–')}.",
            "",
        ]
    for note in db.get("notes", []):
        lines += [f"Note: {note}", ""]
    return lines


def markdown(results: dict) -> str:
    cfg, machine = results["config"], results["machine"]
    lines = [
        f"Run of **{results['started']}** (UTC), `{results['command']}`, {results['minutes']:.0f} minutes in all.",
        "",
        f"- Machine: {machine['nproc']} CPUs ({machine['cpu_model'] or 'unknown model'}), {machine['memory']} RAM, "
        f"Linux {machine['kernel']}; load average at start "
        f"{' / '.join(f'{x:.2f}' for x in machine['load_average'])} (1/5/15 min): the machine is shared, so "
        "compare ratios, not absolute figures.",
        f"- Content: {cfg['pages']:,} project pages ({cfg['counts']['news']:,} news, {cfg['counts']['interviews']:,} "
        f"interviews, {cfg['counts']['videos']:,} videos in English, each with its French translation); stock site "
        f"seeded with `seed --n {cfg['baseline_n']}` ({cfg['baseline_n']:,} news, {cfg['baseline_n'] // 4:,} "
        f"interviews, {cfg['baseline_n'] // 4:,} videos, each in en and fr).",
        f"- Servers: gunicorn, {cfg['workers']} sync workers each, on 127.0.0.1; project `cms.settings.production`, "
        f"`API_ANONYMOUS_RATE_LIMIT={cfg['rate_limit']}`; stock `bench_site.settings` as shipped.",
        f"- Load: {cfg['loader']} -t{cfg['threads']} with {' and '.join(str(c) for c in cfg['connection_counts'])} "
        f"connections, {cfg['warmup']:g} s warm-up then {cfg['duration']:g} s measured per case, {cfg['rounds']} "
        "round(s) (figures: the median over rounds; ratios: the median of each round's ratio).",
        "",
    ]
    for db in results["databases"]:
        lines += _database_section(db, cfg)
    for note in results.get("notes", []):
        lines += [f"Note: {note}", ""]
    lines.append(f"Raw figures: `bench/results/{results['results_file']}` (not committed).")
    return "\n".join(lines)


def write_doc(results: dict) -> None:
    """Replace the results section of docs/benchmarks.md (between its marks) with this run's."""
    text = DOC.read_text()
    if START_MARK not in text or END_MARK not in text:
        raise RuntimeError(f"{DOC} has lost its results marks; put them back ({START_MARK} … {END_MARK})")
    head = text.split(START_MARK, 1)[0]
    tail_text = text.split(END_MARK, 1)[1]
    DOC.write_text(f"{head}{START_MARK}\n\n{markdown(results)}\n\n{END_MARK}{tail_text}")
