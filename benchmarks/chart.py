"""The benchmark's side-by-side figures as an SVG bar chart, for the docs' performance page.

Written by every ``python -m benchmarks`` run (and by ``--render`` from a saved run), from the
same figures as the table, so the picture and the numbers cannot disagree. Plain SVG built with
the standard library: the docs build needs no plotting package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

#: Where the docs' performance page includes it from.
DOCS_CHART = Path("docs/_static/benchmark.svg")

_WIDTH, _LABEL, _BAR, _GAP = 760, 250, 18, 6
_COLOURS = {
    "pytest-ec2image": "#2b7bb9",
    "floor": "#9aa5b1",
    "moto": "#d9822b",
}


def _panel(title: str, unit: str, rows: list[tuple[str, str, float]], top: int) -> list[str]:
    """One titled group of horizontal bars; ``rows`` are (label, colour key, value)."""
    largest = max(value for _, _, value in rows) or 1.0
    scale = (_WIDTH - _LABEL - 90) / largest
    parts = [f'<text x="10" y="{top + 14}" class="title">{escape(title)}</text>']
    y = top + 26
    for label, key, value in rows:
        length = max(value * scale, 1.0)
        parts += [
            f'<text x="{_LABEL - 8}" y="{y + 13}" class="label">{escape(label)}</text>',
            f'<rect x="{_LABEL}" y="{y}" width="{length:.1f}" height="{_BAR}" '
            f'fill="{_COLOURS[key]}"><title>{escape(label)}: {value:,.2f} {unit}</title></rect>',
            f'<text x="{_LABEL + length + 6:.1f}" y="{y + 13}" class="value">'
            f"{value:,.1f} {escape(unit)}</text>",
        ]
        y += _BAR + _GAP
    return parts


def render_svg(results: dict[str, Any]) -> str:
    """The chart of one run's results (the dict ``python -m benchmarks`` saves as JSON)."""
    seconds = results["downstream"]["seconds"]
    tests = results["downstream"]["tests"]
    suite = [
        ("pytest-ec2image, serial", "pytest-ec2image", seconds["ours/n1"]),
        ("keep-alive canned floor, serial", "floor", seconds["floor/n1"]),
        ("moto server, serial", "moto", seconds["moto_server/n1"]),
        ("moto mock_aws, serial", "moto", seconds["moto_mock_aws/n1"]),
        ("pytest-ec2image, -n 2", "pytest-ec2image", seconds["ours/n2"]),
        ("keep-alive canned floor, -n 2", "floor", seconds["floor/n2"]),
        ("moto server, -n 2", "moto", seconds["moto_server/n2"]),
        ("moto mock_aws, -n 2", "moto", seconds["moto_mock_aws/n2"]),
    ]
    rates = results["throughput_rps"]

    def rate(kind: str, threads: int) -> float:
        by_threads = rates[kind]
        return float(by_threads.get(threads, by_threads.get(str(threads), 0.0)))

    throughput = [
        (f"{name}, {threads} thread{'s' if threads > 1 else ''}", key, rate(kind, threads))
        for threads in (1, 4)
        for name, key, kind in (
            ("pytest-ec2image", "pytest-ec2image", "ours"),
            ("werkzeug canned floor", "floor", "floor"),
            ("moto server", "moto", "moto"),
        )
    ]
    first = _panel(f"{tests}-test downstream suite (seconds, shorter is better)", "s", suite, 0)
    second_top = 26 + len(suite) * (_BAR + _GAP) + 24
    second = _panel(
        "RegisterImage over keep-alive (requests/s, longer is better)",
        "req/s",
        throughput,
        second_top,
    )
    height = second_top + 26 + len(throughput) * (_BAR + _GAP) + 10
    style = (
        "<style>text{font-family:system-ui,sans-serif;font-size:12px;fill:#333}"
        ".title{font-weight:bold;font-size:13px}.label{text-anchor:end}</style>"
    )
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
            f'width="{_WIDTH}" height="{height}" role="img" '
            'aria-label="pytest-ec2image benchmark, side by side with moto and the floors">',
            style,
            *first,
            *second,
            "</svg>",
            "",
        ]
    )


def write(results: dict[str, Any], path: Path = DOCS_CHART) -> Path:
    """Write the chart of ``results`` to ``path`` (the docs' copy by default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_svg(results), encoding="utf-8")
    return path
