"""The benchmark's chart: drawn from the same figures as its table, and valid SVG."""

from __future__ import annotations

from lxml import etree

from benchmarks import chart

RESULTS = {
    "throughput_rps": {
        "floor": {1: 900.0, 4: 1000.0},
        "stdlib": {1: 6000.0, 4: 7000.0},
        "ours": {"1": 2000.0, "4": 3000.0},  # a saved run's keys are strings
        "moto": {1: 300.0, 4: 330.0},
    },
    "downstream": {
        "tests": 300,
        "seconds": {
            "floor/n1": 6.0,
            "moto_server/n1": 15.0,
            "moto_mock_aws/n1": 170.0,
            "ours/n1": 6.3,
            "floor/n2": 3.9,
            "moto_server/n2": 9.9,
            "moto_mock_aws/n2": 67.7,
            "ours/n2": 4.2,
        },
    },
}


def test_the_chart_shows_every_figure_of_the_run(tmp_path):
    path = chart.write(RESULTS, tmp_path / "chart.svg")
    svg = etree.fromstring(path.read_bytes())
    bars = svg.findall("{http://www.w3.org/2000/svg}rect")
    titles = [bar.findtext("{http://www.w3.org/2000/svg}title") for bar in bars]
    assert len(bars) == 8 + 6
    assert "pytest-ec2image, serial: 6.30 s" in titles
    assert "moto mock_aws, -n 2: 67.70 s" in titles
    assert "pytest-ec2image, 4 threads: 3,000.00 req/s" in titles
    widths = {t: float(b.get("width")) for t, b in zip(titles, bars, strict=True)}
    # Bars are to scale within a panel: the longest is mock_aws's serial run.
    assert widths["moto mock_aws, serial: 170.00 s"] == max(
        w for t, w in widths.items() if t.endswith(" s")
    )
    assert widths["pytest-ec2image, serial: 6.30 s"] < widths["moto server, serial: 15.00 s"]
