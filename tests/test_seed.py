"""Reproducible ids: ``--ec2-registry-seed`` / ini ``ec2_registry_seed``, the header line, and
ids (image, snapshot, request) that depend only on (seed, test node id, call order); creation
dates from the registry clock."""

from __future__ import annotations

import itertools
import re
import shutil
import uuid
from datetime import datetime, timedelta, timezone

import boto3  # noqa: F401 - pytester re-imports per run what the outer process did not import
import pytest

from pytest_ec2image import Ec2Registry
from pytest_ec2image.ids import MAX_SEED, CreationClock, IdSource, seed_value
from pytest_ec2image.plugin import SEED_KEY
from tests.conftest import register_params, send
from tests.ids_project import read_ids, source

HEADER = re.compile(r"^ec2-registry: seed=(\d+) \(reproduce with --ec2-registry-seed=(\d+)\)$")
_runs = itertools.count()
#: hypothesis's plugin imports hypothesis at every terminal summary, and pytester unloads it
#: after each in-process run: ~3 s a run that these tests have no use for.
INNER = ("-p", "no:hypothesispytest")


def run_ids(
    pytester: pytest.Pytester, files: dict[str, list[str]], *args: str
) -> tuple[dict[str, dict[str, object]], pytest.RunResult]:
    """Write ``files`` (module name -> test names) recording into a fresh directory, run them,
    and return what each test recorded."""
    out = pytester.path / f"ids-{next(_runs)}"
    out.mkdir()
    for module in list(pytester.path.glob("test_*.py")):
        module.unlink()
    # A rewritten module of the same size in the same second would be run from the stale
    # assertion-rewrite .pyc (mtime and size match), recording into the previous run's dir.
    shutil.rmtree(pytester.path / "__pycache__", ignore_errors=True)
    for module, names in files.items():
        pytester.makepyfile(**{module: source(out, names)})
    result = pytester.runpytest(*INNER, *args)
    assert result.ret == 0, result.stdout.str()
    return read_ids(out), result


def header_seeds(result: pytest.RunResult) -> list[int]:
    found = [HEADER.match(line) for line in result.outlines]
    seeds = [(int(m.group(1)), int(m.group(2))) for m in found if m]
    assert all(a == b for a, b in seeds)
    return [a for a, _ in seeds]


ALL = {"test_ids": ["alpha", "beta", "gamma", "delta"]}


def test_header_shows_the_given_seed_exactly_once(pytester: pytest.Pytester) -> None:
    _, result = run_ids(pytester, ALL, "--ec2-registry-seed=123", "-v")
    assert header_seeds(result) == [123]
    assert (
        result.outlines.count("ec2-registry: seed=123 (reproduce with --ec2-registry-seed=123)")
        == 1
    )


def test_same_seed_gives_the_same_ids_twice(pytester: pytest.Pytester) -> None:
    first, _ = run_ids(pytester, ALL, "--ec2-registry-seed=42")
    second, _ = run_ids(pytester, ALL, "--ec2-registry-seed=42")
    assert first == second
    assert len(first) == 6
    alpha = first["test_ids.py__test_alpha"]
    assert re.fullmatch(r"ami-0[0-9a-f]{16}", alpha["images"][0])
    assert re.fullmatch(r"ami-[0-9a-f]{8}", alpha["images"][1])  # a 2009-10-31 registration
    assert re.fullmatch(r"snap-0[0-9a-f]{16}", alpha["snapshot"])
    for request_id in alpha["requests"]:
        assert str(uuid.UUID(request_id)) == request_id
    delta = first["test_ids.py__test_delta"]
    assert delta["boto_request"] == delta["requests"][0]


def test_ids_do_not_depend_on_other_tests_or_their_order(pytester: pytest.Pytester) -> None:
    alone, _ = run_ids(pytester, {"test_ids": ["alpha", "beta"]}, "--ec2-registry-seed=7")
    crowded, _ = run_ids(
        pytester,
        {"test_early": ["gamma", "delta"], "test_ids": ["gamma", "beta", "delta", "alpha"]},
        "--ec2-registry-seed=7",
    )
    for name in ("test_ids.py__test_alpha", "test_ids.py__test_beta"):
        assert crowded[name] == alone[name]
    # Same test body, different node id: different ids.
    assert crowded["test_early.py__test_gamma_1_"] != crowded["test_ids.py__test_gamma_1_"]


def test_deselecting_and_reordering_by_keyword_keeps_ids(pytester: pytest.Pytester) -> None:
    everything, _ = run_ids(pytester, ALL, "--ec2-registry-seed=99")
    only_beta, _ = run_ids(pytester, ALL, "--ec2-registry-seed=99", "-k", "beta")
    assert list(only_beta) == ["test_ids.py__test_beta"]
    assert only_beta["test_ids.py__test_beta"] == everything["test_ids.py__test_beta"]


def test_different_seeds_give_different_ids(pytester: pytest.Pytester) -> None:
    one, _ = run_ids(pytester, ALL, "--ec2-registry-seed=1")
    two, _ = run_ids(pytester, ALL, "--ec2-registry-seed=2")
    for name in one:
        assert one[name]["images"] != two[name]["images"]
        assert one[name]["requests"] != two[name]["requests"]
    assert one["test_ids.py__test_alpha"]["snapshot"] != two["test_ids.py__test_alpha"]["snapshot"]


def test_no_seed_picks_a_random_one_that_reproduces_the_run(pytester: pytest.Pytester) -> None:
    first, result = run_ids(pytester, ALL)
    [seed] = header_seeds(result)
    again, _ = run_ids(pytester, ALL, f"--ec2-registry-seed={seed}")
    assert again == first
    _, other = run_ids(pytester, ALL)
    # 1 in 2**32 to collide: two runs without a seed are two different random streams.
    assert header_seeds(other) != [seed]


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", str(MAX_SEED + 1), ""])
def test_bad_seed_is_a_usage_error_naming_the_value(pytester: pytest.Pytester, bad: str) -> None:
    pytester.makepyfile("def test_x(ec2_registry): pass")
    result = pytester.runpytest(*INNER, f"--ec2-registry-seed={bad}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--ec2-registry-seed: {bad!r} is not a valid seed*"])


def test_ini_seed_is_used_and_the_option_overrides_it(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nec2_registry_seed = 77\n")
    from_ini, result = run_ids(pytester, ALL)
    assert header_seeds(result) == [77]
    from_option, _ = run_ids(pytester, ALL, "--ec2-registry-seed=77")
    assert from_ini == from_option
    overridden, result = run_ids(pytester, ALL, "--ec2-registry-seed=5")
    assert header_seeds(result) == [5]
    assert overridden != from_ini


def test_bad_ini_seed_is_a_usage_error_naming_the_value(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nec2_registry_seed = twelve\n")
    pytester.makepyfile("def test_x(ec2_registry): pass")
    result = pytester.runpytest(*INNER)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini option ec2_registry_seed: 'twelve' is not a valid seed*"])


def test_fixed_clock_gives_the_same_creation_dates_every_run(pytester: pytest.Pytester) -> None:
    first, _ = run_ids(pytester, ALL, "--ec2-registry-seed=3")
    second, _ = run_ids(pytester, ALL, "--ec2-registry-seed=4")
    dates = first["test_ids.py__test_beta"]["dates"]
    assert dates == ["2026-11-26T10:00:00.000Z", "2026-11-26T10:00:00.001Z"]
    assert second["test_ids.py__test_beta"]["dates"] == dates


# --- the registry side, without pytester ------------------------------------------------------


def test_seed_value_accepts_the_whole_range() -> None:
    assert seed_value("0") == 0
    assert seed_value(" 12 ") == 12
    assert seed_value(str(MAX_SEED)) == MAX_SEED


def test_id_stream_depends_only_on_seed_and_scope() -> None:
    def draw(source: IdSource) -> list[str]:
        return [source.resource_id("ami"), source.request_id(), source.resource_id("snap")]

    assert draw(IdSource(5, "a::b")) == draw(IdSource(5, "a::b"))
    assert draw(IdSource(5, "a::b")) != draw(IdSource(5, "a::c"))
    assert draw(IdSource(5, "a::b")) != draw(IdSource(6, "a::b"))


def test_python_api_and_http_ids_share_the_tests_stream(
    ec2_registry: Ec2Registry, request: pytest.FixtureRequest
) -> None:
    """The fixture's registry is seeded with the run's seed and this test's node id: a twin
    built from the same two values and asked the same things gives the same ids."""
    assert ec2_registry.seed == request.config.stash[SEED_KEY]
    snapshot = ec2_registry.add_snapshot().snapshot_id
    answer = send(ec2_registry.endpoint_url, register_params())
    image = ec2_registry.add_image("web-2").image_id

    twin = Ec2Registry(seed=ec2_registry.seed, scope=request.node.nodeid)
    assert twin.add_snapshot().snapshot_id == snapshot
    assert twin._state.ids.request_id() == ec2_registry.calls[0].request_id
    assert answer.headers["x-amzn-RequestId"] == ec2_registry.calls[0].request_id
    assert twin._state.new_image_id(twin._state.region("us-east-1"), short=False) == (
        answer.find("imageId")
    )
    assert twin.add_image("web-2").image_id == image


def test_default_clock_is_utc_now_and_strictly_increasing(ec2_registry: Ec2Registry) -> None:
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    dates = [ec2_registry.add_image(f"web-{i}").creation_date for i in range(20)]
    assert dates == sorted(dates)
    assert len(set(dates)) == len(dates)
    first = datetime.strptime(dates[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert before <= first <= datetime.now(timezone.utc) + timedelta(seconds=1)


@pytest.mark.ec2_registry(images=[{"name": "preloaded"}])
def test_setting_the_clock_starts_from_the_new_time_after_preloads(
    ec2_registry: Ec2Registry,
) -> None:
    """Preloads took today's date; a test that then fixes the clock in the past still gets its
    fixed dates (strictly increasing from there), not 'one ms after the preload'."""
    ec2_registry.clock = datetime(2020, 1, 2, 3, 4, 5, 678000)
    first = ec2_registry.add_image("first").creation_date
    second = ec2_registry.add_image("second").creation_date
    assert (first, second) == ("2020-01-02T03:04:05.678Z", "2020-01-02T03:04:05.679Z")
    assert ec2_registry.clock == datetime(2020, 1, 2, 3, 4, 5, 678000)


def test_stepping_clock_and_time_zones() -> None:
    ticks = iter(
        [
            datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
            datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc),  # earlier: nudged past the last
        ]
    )
    clock = CreationClock(lambda: next(ticks))
    assert clock.next_date() == "2026-01-01T10:00:00.000Z"
    assert clock.next_date() == "2026-01-01T10:00:00.001Z"


def test_clock_refuses_what_is_not_a_time_source(ec2_registry: Ec2Registry) -> None:
    with pytest.raises(TypeError, match="clock must be a datetime or a callable.*'2026-01-01'"):
        ec2_registry.clock = "2026-01-01"  # type: ignore[assignment]
