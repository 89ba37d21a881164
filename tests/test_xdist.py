"""pytest-xdist: the controller's seed and data file reach every worker, each worker serves
its own endpoint, and every test gets the same ids as in a serial run."""

from __future__ import annotations

import itertools
import json
import re
import shutil

import pytest

from tests.ids_project import read_ids, read_raw, source

pytest.importorskip("xdist")

HEADER = re.compile(r"^ec2-registry: seed=(\d+) \(reproduce with --ec2-registry-seed=\1\)$")
#: Eight tests in two modules: enough that every worker of -n 4 gets some.
FILES = {
    "test_one": ["alpha", "beta", "gamma"],
    "test_two": ["gamma", "alpha", "delta"],
}
DATA = {
    "snapshots": [{"size": 20}],
    # A fixed date: preloads take the default clock (today) otherwise.
    "images": [
        {
            "name": "golden-base",
            "architecture": "x86_64",
            "creation_date": "2026-01-01T00:00:00.000Z",
        }
    ],
}
_runs = itertools.count()


def run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, str]:
    """Run the project in a subprocess (xdist spawns processes of its own); returns the result
    and the directory the tests recorded their ids in."""
    out = pytester.path / f"ids-{next(_runs)}"
    out.mkdir()
    # A rewritten module of the same size in the same second would be run from the stale
    # assertion-rewrite .pyc (mtime and size match), recording into the previous run's dir.
    shutil.rmtree(pytester.path / "__pycache__", ignore_errors=True)
    for module, names in FILES.items():
        pytester.makepyfile(**{module: source(out, names)})
    pytester.path.joinpath("preload.json").write_text(json.dumps(DATA))
    result = pytester.runpytest_subprocess(
        "-p", "no:hypothesispytest", "--ec2-registry-data=preload.json", *args
    )
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=10)
    return result, str(out)


def header_seeds(result: pytest.RunResult) -> list[int]:
    return [int(m.group(1)) for m in map(HEADER.match, result.outlines) if m]


@pytest.mark.parametrize("workers", ["2", "4"])
def test_each_test_gets_the_serial_runs_ids_on_any_worker(
    pytester: pytest.Pytester, workers: str
) -> None:
    _, serial_out = run(pytester, "--ec2-registry-seed=31", "-p", "no:xdist")
    result, parallel_out = run(pytester, "--ec2-registry-seed=31", "-n", workers)
    serial = read_ids(pytester.path / serial_out)
    parallel = read_ids(pytester.path / parallel_out)
    assert parallel == serial
    assert len(serial) == 10
    # The data file's image got a seeded id too, the same one in every worker.
    assert serial["test_one.py__test_alpha"]["preloaded"][0].startswith("ami-0")
    raw = read_raw(pytester.path / parallel_out)
    used = {entry["worker"] for entry in raw.values()}
    assert len(used) >= 2, f"all tests ran on {used}: the comparison proved nothing"
    assert header_seeds(result) == [31]


def test_each_worker_serves_its_own_endpoint(pytester: pytest.Pytester) -> None:
    _, out = run(pytester, "--ec2-registry-seed=8", "-n", "2")
    endpoints: dict[str, set[str]] = {}
    for entry in read_raw(pytester.path / out).values():
        endpoints.setdefault(entry["worker"], set()).add(entry["endpoint"])
    assert set(endpoints) == {"gw0", "gw1"}
    assert all(len(urls) == 1 for urls in endpoints.values())  # one server per worker process
    assert endpoints["gw0"] != endpoints["gw1"]


def test_random_seed_of_the_controller_reaches_every_worker(pytester: pytest.Pytester) -> None:
    result, out = run(pytester, "-n", "2")
    [seed] = header_seeds(result)  # printed once, by the controller
    _, serial_out = run(pytester, f"--ec2-registry-seed={seed}", "-p", "no:xdist")
    assert read_ids(pytester.path / out) == read_ids(pytester.path / serial_out)
