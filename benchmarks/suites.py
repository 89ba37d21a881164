"""Whole pytest runs: start-up cost, fixture overhead, and the 300-test downstream suite."""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

DOWNSTREAM_TEST = """
def test_bake_{n}({fixture}):
    ec2 = boto3.client("ec2")
    image_id = ec2.register_image(
        Name="web-{n}", RootDeviceName="/dev/sda1", Architecture="x86_64",
        BlockDeviceMappings=[{{"DeviceName": "/dev/sda1",
                               "Ebs": {{"SnapshotId": "snap-0123456789abcdef0"}}}}],
    )["ImageId"]
    {check}
"""
#: The checks of each test. Name only: moto drops Architecture, and the suites are timed on
#: the same assertions.
CHECK = (
    '[image] = ec2.describe_images(ImageIds=[image_id])["Images"]\n'
    '    assert image["Name"] == "web-{n}"'
)
#: The floor's: the same statements, compared with the one name its canned answer holds. The
#: test module is then as long as ours, so pytest's assertion rewriting and compiling of it
#: (about 0.3 ms a test, measured) is charged to neither side.
FLOOR_CHECK = CHECK.replace('"web-{n}"', '"web-0"')
#: The floor as the issue measured it: the calls alone, no statement about their answers.
FLOOR_CALLS_CHECK = "ec2.describe_images(ImageIds=[image_id])"

#: conftest.py of both floors: the stdlib keep-alive canned server, wired as ours is.
FLOOR_CONFTEST = """
import pytest
from benchmarks.servers import start_stdlib_floor

@pytest.fixture(scope="session")
def floor_url():
    server = start_stdlib_floor()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()

@pytest.fixture
def backend(floor_url, monkeypatch):
    # what ec2_registry's autowiring does
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", floor_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
"""

#: conftest.py of each downstream variant: the fixture the tests request.
CONFTESTS = {
    "ours": "",
    "floor": FLOOR_CONFTEST,
    "floor_calls": FLOOR_CONFTEST,
    "moto_mock_aws": """
import os
import pytest
from moto import mock_aws

@pytest.fixture
def backend(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL_EC2", raising=False)
    with mock_aws():
        yield
""",
    "moto_server": """
import logging
import os
import socket
import urllib.request
import pytest
from moto.server import ThreadedMotoServer

@pytest.fixture(scope="session")
def moto_url():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"  # moto's best case
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()

@pytest.fixture
def backend(moto_url, monkeypatch):
    # a fresh state per test, as ec2_registry gives
    urllib.request.urlopen(urllib.request.Request(moto_url + "/moto-api/reset", method="POST"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
""",
}


#: The repository root, put on the floor suite's path for ``benchmarks.servers``.
ROOT = Path(__file__).resolve().parent.parent


def _pytest(directory: Path, *args: str, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        env={**_clean_env(), **(env or {})},
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 5):
        raise RuntimeError(f"pytest failed in {directory}:\n{result.stdout[-3000:]}")
    return elapsed


def _clean_env() -> dict[str, str]:
    # Bytecode caching on, even where the machine sets PYTHONDONTWRITEBYTECODE: pip installs
    # precompile .pyc files and pytest caches its assertion-rewritten plugin modules, so
    # recompiling on every run would charge the plugin for work its users never pay.
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "PYTEST_")) and k != "PYTHONDONTWRITEBYTECODE"
    }


def startup_cost(runs: int) -> dict[str, float]:
    """Median ``pytest --co`` of an empty project: with the plugin, with ``-p no:ec2image``,
    and with pytest-httpserver's own plugin disabled too (the dependency's share)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pytest.ini").write_text("[pytest]\n")
        variants = {
            "with_plugin": [],
            "without_plugin": ["-p", "no:ec2image"],
            "without_both": ["-p", "no:ec2image", "-p", "no:pytest_httpserver"],
        }
        samples: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(runs):  # interleaved, so drift in machine load hits all alike
            for name, args in variants.items():
                samples[name].append(_pytest(root, "--co", *args))
    medians = {name: statistics.median(times) for name, times in samples.items()}
    # Paired by round: the difference of two runs made back to back, which cancels the drift a
    # difference of medians keeps. A single start varies by tens of ms on a busy VM, so the
    # figure comes with the standard error of its median (spread taken from the median
    # absolute deviation: a few stalled starts must not swamp it).
    pairs = zip(samples["with_plugin"], samples["without_plugin"], strict=True)
    added = [(with_ - without) * 1000 for with_, without in pairs]
    return {
        "with_plugin_s": medians["with_plugin"],
        "without_plugin_s": medians["without_plugin"],
        "without_both_s": medians["without_both"],
        "added_ms": statistics.median(added),
        "added_se_ms": _median_standard_error(added),
        "httpserver_plugin_ms": (medians["without_plugin"] - medians["without_both"]) * 1000,
        "import_ms": plugin_import_ms(runs),
    }


def _median_standard_error(values: list[float]) -> float:
    center = statistics.median(values)
    spread = 1.4826 * statistics.median(abs(value - center) for value in values)
    return 1.2533 * spread / math.sqrt(len(values))


def plugin_import_ms(runs: int) -> float:
    """Median cumulative ``-X importtime`` of the entry-point module, pytest already loaded."""
    samples = []
    for _ in range(runs):
        result = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-c",
                "import pytest; import pytest_ec2image.plugin",
            ],
            capture_output=True,
            text=True,
            check=True,
            env=_clean_env(),
        )
        total = 0
        for line in result.stderr.splitlines():
            fields = [f.strip() for f in line.split("|")]
            # top-level entries only: nested ones are already inside their parent's figure
            if len(fields) == 3 and fields[2] in ("pytest_ec2image", "pytest_ec2image.plugin"):
                total += int(fields[1])
        samples.append(total / 1000)
    return statistics.median(samples)


def fixture_overhead(tests: int) -> dict[str, float]:
    """Per-test cost of requesting ``ec2_registry`` (server already up) vs not requesting it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pytest.ini").write_text("[pytest]\n")
        body = "".join(f"def test_{n}(ec2_registry):\n    pass\n" for n in range(tests))
        (root / "test_with.py").write_text(body)
        (root / "test_without.py").write_text(body.replace("(ec2_registry)", "()"))
        # one warm-up test per file starts the server outside the measured difference
        timings = {"with": [], "without": []}
        for _ in range(3):
            timings["with"].append(_pytest(root, "test_with.py"))
            timings["without"].append(_pytest(root, "test_without.py"))
    on = statistics.median(timings["with"])
    off = statistics.median(timings["without"])
    return {
        "tests": tests,
        "with_s": on,
        "without_s": off,
        "per_test_ms": (on - off) / tests * 1000,
    }


def downstream(tests: int, variant: str, workers: int) -> float:
    """Wall time of the generated downstream suite on one backend."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pytest.ini").write_text("[pytest]\n")
        (root / "conftest.py").write_text(textwrap.dedent(CONFTESTS[variant]))
        fixture = "ec2_registry" if variant == "ours" else "backend"
        check = {"floor": FLOOR_CHECK, "floor_calls": FLOOR_CALLS_CHECK}.get(variant, CHECK)
        (root / "test_downstream.py").write_text(
            "import boto3\n"
            + "".join(
                DOWNSTREAM_TEST.format(n=n, fixture=fixture, check=check.format(n=n))
                for n in range(tests)
            )
        )
        args = ["-n", str(workers)] if workers > 1 else ["-p", "no:xdist"]
        floor = variant.startswith("floor")
        # The floor is no plugin user: it runs without ours, as a project with its own fake would.
        if floor:
            args += ["-p", "no:ec2image"]
        return _pytest(root, *args, env={"PYTHONPATH": str(ROOT)} if floor else None)
