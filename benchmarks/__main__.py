"""Run every benchmark side by side with moto, print a table, write JSON.

    python -m benchmarks [--quick] [--json PATH]

Each figure is a median; ratios are taken between figures measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from . import chart, scaling, suites
from .load import served, throughput

BUDGETS = {
    "startup_added_ms": 5.0,
    "plugin_import_ms": 5.0,
    "fixture_per_test_ms": 1.0,
    "server_start_ms": 50.0,
    "server_stop_ms": 50.0,
    "server_stop_50_idle_ms": 50.0,
    "throughput_vs_moto": 4.0,
    "throughput_vs_floor": 1.2,
    "suite_vs_keepalive_floor": 1.05,
    "suite_speedup_vs_moto_server": 2.0,
    "suite_speedup_vs_mock_aws": 15.0,
    "bytes_per_image": 2048.0,
}


def server_start_stop(runs: int) -> dict[str, float]:
    from pytest_ec2image.hosting.server import Ec2Server

    starts, stops, idle_stops = [], [], []
    for _ in range(runs):
        server = Ec2Server()
        began = time.perf_counter()
        server.start()
        starts.append(time.perf_counter() - began)
        began = time.perf_counter()
        server.stop()
        stops.append(time.perf_counter() - began)
        idle_stops.append(_stop_with_idle_connections(Ec2Server, 50))
    return {
        "start_ms": statistics.median(starts) * 1000,
        "stop_ms": statistics.median(stops) * 1000,
        "stop_50_idle_ms": statistics.median(idle_stops) * 1000,
    }


def _stop_with_idle_connections(server_class: Any, count: int) -> float:
    """Seconds ``stop()`` takes with ``count`` pooled keep-alive connections open and idle."""
    import http.client

    server = server_class()
    server.start()
    connections = [http.client.HTTPConnection("127.0.0.1", server.port) for _ in range(count)]
    try:
        for connection in connections:
            connection.request("GET", "/?Action=DescribeImages&Version=2016-11-15")
            connection.getresponse().read()  # 503 (no registry bound), the connection kept
        deadline = time.monotonic() + 10
        while server.idle_connections < count and time.monotonic() < deadline:
            time.sleep(0.001)
        began = time.perf_counter()
        server.stop()
        return time.perf_counter() - began
    finally:
        for connection in connections:
            connection.close()


def throughput_rates(seconds: float, rounds: int) -> dict[str, dict[int, float]]:
    """Median requests/s per server and client thread count.

    The three servers run side by side and take turns, the order rotating each round, so a
    slow spell of a noisy machine falls on all of them rather than on whichever ran then.
    """
    kinds = ("floor", "stdlib", "ours", "moto")
    samples: dict[str, dict[int, list[float]]] = {k: {1: [], 4: []} for k in kinds}
    with contextlib.ExitStack() as stack:
        urls = {kind: stack.enter_context(served(kind)) for kind in kinds}
        for kind, url in urls.items():
            throughput(url, 1, 0.3, f"warm-{kind}")
        for r in range(rounds):
            order = kinds[r % 4 :] + kinds[: r % 4]
            for threads in (1, 4):
                for kind in order:
                    rate = throughput(urls[kind], threads, seconds, f"{kind}-{threads}-{r}")
                    samples[kind][threads].append(rate)
    return {
        kind: {threads: statistics.median(rates) for threads, rates in by_threads.items()}
        for kind, by_threads in samples.items()
    }


def downstream_suites(tests: int, rounds: int) -> dict[str, Any]:
    """Median wall time of the downstream suite per backend, serial and with ``-n 2``, and
    the median of the per-round ratios of ours to each floor.

    The floors and ours take turns for ``rounds`` rounds, the order reversing each round,
    since their ratios are the ones within a few percent: a ratio of two runs made back to
    back cancels the drift of this VM's speed that a ratio of medians keeps. The order
    matters too (a run is a few percent slower or faster after another), so ``rounds`` is
    even and each order counts alike. moto's server and ``mock_aws`` (the latter takes
    minutes) run once each, at the end of the first round.
    """
    if rounds > 1 and rounds % 2:
        raise ValueError(f"rounds must be even (each order equally often), not {rounds}")
    samples: dict[str, list[float]] = {}
    paired: dict[str, list[float]] = {}
    for workers in (1, 2):
        for r in range(rounds):
            order = ["floor", "ours", "floor_calls"]
            if r % 2:
                order.reverse()
            if r == 0:
                # After the trio, so its pairs stay back to back (mock_aws takes minutes).
                order += ["moto_server", "moto_mock_aws"]
            this_round = {}
            for variant in order:
                this_round[variant] = suites.downstream(tests, variant, workers)
                samples.setdefault(f"{variant}/n{workers}", []).append(this_round[variant])
            for floor in ("floor", "floor_calls"):
                ratio = this_round["ours"] / this_round[floor]
                paired.setdefault(f"ours/{floor}/n{workers}", []).append(ratio)
    return {
        "seconds": {key: statistics.median(values) for key, values in samples.items()},
        "paired_ratio": {key: statistics.median(values) for key, values in paired.items()},
        "paired_ratios": paired,
    }


def run(quick: bool) -> dict[str, Any]:
    seconds = 1.0 if quick else 2.0
    rounds = 1 if quick else 5
    results: dict[str, Any] = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
        "quick": quick,
    }
    results["startup"] = suites.startup_cost(runs=5 if quick else 30)
    results["fixture"] = suites.fixture_overhead(tests=200 if quick else 1000)
    results["server"] = server_start_stop(runs=10 if quick else 50)

    results["throughput_rps"] = throughput_rates(seconds, rounds)

    tests = 60 if quick else 300
    results["downstream"] = {"tests": tests, **downstream_suites(tests, rounds=1 if quick else 6)}

    sizes = [10, 1000, 10000] if quick else [10, 1000, 100000]
    results["scaling_us"] = scaling.per_call(sizes, calls=100 if quick else 300)
    results["bytes_per_image"] = scaling.memory_per_image(10000 if quick else 100000)
    results["verdict"] = verdict(results)
    return results


def verdict(r: dict[str, Any]) -> dict[str, dict[str, float | bool]]:
    rates = r["throughput_rps"]
    suite = r["downstream"]["seconds"]
    measured = {
        "startup_added_ms": r["startup"]["added_ms"],
        "plugin_import_ms": r["startup"]["import_ms"],
        "fixture_per_test_ms": r["fixture"]["per_test_ms"],
        "server_start_ms": r["server"]["start_ms"],
        "server_stop_ms": r["server"]["stop_ms"],
        "server_stop_50_idle_ms": r["server"]["stop_50_idle_ms"],
        "throughput_vs_moto": min(rates["ours"][t] / rates["moto"][t] for t in (1, 4)),
        "throughput_vs_floor": min(rates["ours"][t] / rates["floor"][t] for t in (1, 4)),
        # Runs before the paired ratios were kept (their JSON has none): the ratio of medians.
        "suite_vs_keepalive_floor": r["downstream"]
        .get("paired_ratio", {})
        .get("ours/floor/n1", suite["ours/n1"] / suite["floor/n1"]),
        "suite_speedup_vs_moto_server": min(
            suite[f"moto_server/n{w}"] / suite[f"ours/n{w}"] for w in (1, 2)
        ),
        "suite_speedup_vs_mock_aws": min(
            suite[f"moto_mock_aws/n{w}"] / suite[f"ours/n{w}"] for w in (1, 2)
        ),
        "bytes_per_image": r["bytes_per_image"],
    }
    out: dict[str, dict[str, float | bool]] = {}
    for key, value in measured.items():
        budget = BUDGETS[key]
        higher_is_better = key.startswith(("throughput", "suite_speedup"))
        ok = value >= budget if higher_is_better else value <= budget
        out[key] = {"value": value, "budget": budget, "met": ok}
    # A wall-clock difference within twice its standard error of the budget tells neither
    # way; the -X importtime figure is then the measure that decides.
    noise = r["startup"].get("added_se_ms")
    startup = out["startup_added_ms"]
    if noise is not None and not startup["met"]:
        startup["within_noise"] = float(startup["value"]) - 2 * noise <= BUDGETS["startup_added_ms"]
    return out


def _unmet(v: dict[str, dict[str, float | bool]]) -> list[str]:
    return [key for key, item in v.items() if not item["met"] and not item.get("within_noise")]


def table(r: dict[str, Any]) -> str:
    rates, suite = r["throughput_rps"], r["downstream"]["seconds"]
    lines = [
        f"machine: {r['machine']}, Python {r['python']}" + (" (quick run)" if r["quick"] else ""),
        "",
        "| measure | pytest-ec2image | moto | floor / baseline | budget | met |",
        "|---|---|---|---|---|---|",
    ]
    v = r["verdict"]

    def row(name: str, ours: str, moto: str, base: str, key: str) -> None:
        budget, item = v[key]["budget"], v[key]
        met = "yes" if item["met"] else "within noise" if item.get("within_noise") else "NO"
        lines.append(f"| {name} | {ours} | {moto} | {base} | {budget:g} | {met} |")

    startup = r["startup"]
    noise = startup.get("added_se_ms")
    row(
        "plugin start-up added to `pytest --co` (ms)",
        f"{startup['added_ms']:.1f}" + (f" ± {noise:.1f}" if noise is not None else ""),
        "-",
        f"{startup['without_plugin_s'] * 1000:.0f} ms without",
        "startup_added_ms",
    )
    row(
        "plugin import, `-X importtime`, pytest already loaded (ms)",
        f"{r['startup']['import_ms']:.2f}",
        "-",
        "bytecode cached",
        "plugin_import_ms",
    )
    lines.append(
        "| pytest-httpserver's own plugin, imported at every pytest start (ms) "
        f"| {r['startup']['httpserver_plugin_ms']:.0f} | - | a dependency's cost (see below) | | |"
    )
    row(
        "fixture overhead per test (ms)",
        f"{r['fixture']['per_test_ms']:.2f}",
        "-",
        f"{r['fixture']['tests']} tests",
        "fixture_per_test_ms",
    )
    row("server start (ms)", f"{r['server']['start_ms']:.2f}", "-", "-", "server_start_ms")
    row("server stop (ms)", f"{r['server']['stop_ms']:.2f}", "-", "-", "server_stop_ms")
    row(
        "server stop, 50 idle keep-alive connections open (ms)",
        f"{r['server']['stop_50_idle_ms']:.2f}",
        "-",
        "-",
        "server_stop_50_idle_ms",
    )
    for threads in (1, 4):
        ours, moto, floor, stdlib = (rates[k][threads] for k in ("ours", "moto", "floor", "stdlib"))
        lines.append(
            f"| RegisterImage req/s, {threads} thread(s), keep-alive | {ours:.0f} | {moto:.0f} "
            f"({ours / moto:.1f}x) | werkzeug canned {floor:.0f} ({ours / floor:.2f}x); "
            f"stdlib keep-alive canned {stdlib:.0f} ({ours / stdlib:.2f}x) | | |"
        )
    row(
        "throughput vs moto (min over threads)",
        f"{v['throughput_vs_moto']['value']:.1f}x",
        "",
        "",
        "throughput_vs_moto",
    )
    row(
        "throughput vs floor (min over threads)",
        f"{v['throughput_vs_floor']['value']:.2f}x",
        "",
        "",
        "throughput_vs_floor",
    )
    for workers in (1, 2):
        ours = suite[f"ours/n{workers}"]
        mock = suite[f"moto_mock_aws/n{workers}"]
        server = suite[f"moto_server/n{workers}"]
        floor = suite[f"floor/n{workers}"]
        paired = r["downstream"].get("paired_ratio", {})
        ratio = paired.get(f"ours/floor/n{workers}", ours / floor)
        # Runs saved before the paired rounds had only the calls-only floor.
        floor_name = "stdlib keep-alive canned" + ("" if paired else ", calls only")
        lines.append(
            f"| {r['downstream']['tests']}-test suite, {'serial' if workers == 1 else '-n 2'} (s) "
            f"| {ours:.2f} | mock_aws {mock:.1f} ({mock / ours:.1f}x), server, no default AMIs "
            f"{server:.1f} ({server / ours:.1f}x) | {floor_name} {floor:.2f} ({ratio:.3f}x) | | |"
        )
        calls = suite.get(f"floor_calls/n{workers}")
        if calls is not None:
            calls_ratio = paired.get(f"ours/floor_calls/n{workers}", ours / calls)
            lines.append(
                f"| the same floor, its tests making the calls only (the issue's first floor) "
                f"| | | {calls:.2f} ({calls_ratio:.3f}x) | | |"
            )
    row(
        "suite vs the keep-alive floor, serial"
        + (" (median of paired rounds)" if "paired_ratio" in r["downstream"] else ""),
        f"{v['suite_vs_keepalive_floor']['value']:.3f}x",
        "",
        "",
        "suite_vs_keepalive_floor",
    )
    row(
        "suite speed-up vs moto server (min)",
        f"{v['suite_speedup_vs_moto_server']['value']:.1f}x",
        "",
        "",
        "suite_speedup_vs_moto_server",
    )
    row(
        "suite speed-up vs mock_aws (min)",
        f"{v['suite_speedup_vs_mock_aws']['value']:.1f}x",
        "",
        "",
        "suite_speedup_vs_mock_aws",
    )
    row("memory per image (bytes)", f"{r['bytes_per_image']:.0f}", "-", "-", "bytes_per_image")
    lines += [
        "",
        "| images | RegisterImage µs | DescribeImages by id µs | by exact name µs "
        "| DeregisterImage µs | `registry.images[id]` µs (a plain dict's) |",
        "|---|---|---|---|---|---|",
    ]
    for s in r["scaling_us"]:
        lines.append(
            f"| {s['images']:,} | {s['register_us']:.0f} | {s['describe_by_id_us']:.0f} "
            f"| {s['describe_by_name_us']:.0f} | {s['deregister_us']:.0f} "
            f"| {s.get('images_lookup_us', float('nan')):.2f} "
            f"({s.get('dict_lookup_us', float('nan')):.2f}) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/latest.json"))
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="print the table of an earlier run's JSON"
    )
    parser.add_argument(
        "--chart",
        type=Path,
        default=chart.DOCS_CHART,
        metavar="SVG",
        help="where to write the side-by-side chart (default: the docs' copy, %(default)s)",
    )
    args = parser.parse_args()
    if args.render:
        saved = json.loads(args.render.read_text())
        # JSON object keys are strings; the thread counts are ints in a live run.
        saved["throughput_rps"] = {
            kind: {int(threads): rate for threads, rate in rates.items()}
            for kind, rates in saved["throughput_rps"].items()
        }
        saved["verdict"] = verdict(saved)  # today's rules on that run's figures
        print(table(saved))
        if args.chart is not None:
            print(f"\nchart: {chart.write(saved, args.chart)}")
        return
    results = run(args.quick)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(table(results))
    print(f"\nJSON: {args.json}")
    if args.chart is not None and not args.quick:
        print(f"chart: {chart.write(results, args.chart)}")
    if _unmet(results["verdict"]):
        print("some budgets are not met (see the 'met' column)")


if __name__ == "__main__":
    main()
