"""The example bake suite (``examples/``) stays green: it is run here as a user would run it,
in its own pytest process with its own ini file, against the installed plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_example_suite_passes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    # The example module is not installed in the project's test environments: its directory
    # goes on the path, as `pip install ./examples` would put bake.py on it.
    monkeypatch.setenv("PYTHONPATH", str(EXAMPLES))
    result = pytester.runpytest_subprocess(str(EXAMPLES / "tests"), "-p", "no:cacheprovider")

    outcomes = result.parseoutcomes()
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert set(outcomes) == {"passed"}, outcomes
    assert outcomes["passed"] >= 3
    # Found through the entry point (nothing in examples/ asks for it), and its header is shown.
    result.stdout.fnmatch_lines(["ec2-registry: seed=* (reproduce with --ec2-registry-seed=*)"])
    # Its own ini file, not the project's (whose warnings/markers settings differ).
    result.stdout.fnmatch_lines([f"rootdir: {EXAMPLES}", "configfile: pyproject.toml"])
