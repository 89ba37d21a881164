"""The house rules a newcomer relies on: the ``Ec2Registry`` facade loads no action handler
and no lxml until a request is served, and the ``ec2_fault`` marker is ``Ec2Registry.fail``."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

from pytest_ec2image import Ec2Registry
from pytest_ec2image.actions import ACTIONS

#: Uses the whole Python API a test has before any request: preloads, faults, assertions.
FACADE_ONLY = """
import json, sys
from pytest_ec2image import Ec2Registry
registry = Ec2Registry(seed=1)
registry.add_snapshot("snap-0123456789abcdef0", size=9)
registry.add_manifest("bucket/web.manifest.xml")
image = registry.add_image("web-1", tags={"team": "bake"})
registry.in_region("eu-west-1").add_image("web-1")
registry.fail("RegisterImage", "InvalidAMIName.Duplicate", when={"Name": "web-2"})
registry.throttle("DescribeImages", times=None)
registry.delay("CopyImage", 0.1)
registry.fail_image("web-3")
registry.missing_snapshot("snap-0123456789abcdef1")
registry.assert_registered(name="web-1", tags={"team": "bake"})
registry.assert_not_registered("web-2")
registry.reset()
print(json.dumps(sorted(sys.modules)))
"""


def test_the_facade_loads_no_handler_and_no_lxml() -> None:
    out = subprocess.run(
        [sys.executable, "-c", FACADE_ONLY], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out))
    handlers = {f"pytest_ec2image.actions.{action.module}" for action in ACTIONS.values()}
    assert not loaded & handlers
    assert not {m for m in loaded if m.split(".")[0] in ("lxml", "werkzeug", "boto3")}
    assert not {m for m in loaded if m.startswith("pytest_ec2image.hosting")}


def test_every_row_of_the_table_resolves_to_its_handler() -> None:
    for name, action in ACTIONS.items():
        handler = action.handler()
        assert callable(handler), name
        assert inspect.getmodule(handler).__name__ == f"pytest_ec2image.actions.{action.module}"


def test_the_fault_marker_shows_what_fail_takes(pytester: pytest.Pytester) -> None:
    """The marker's help line (written out, so that pytest start-up imports nothing) is
    ``Ec2Registry.fail``'s signature; binding uses that signature itself."""
    parts, keyword_only = [], False
    for parameter in inspect.signature(Ec2Registry.fail).parameters.values():
        if parameter.name == "self":
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and not keyword_only:
            parts.append("*")
            keyword_only = True
        default = parameter.default
        parts.append(
            parameter.name if default is parameter.empty else f"{parameter.name}={default!r}"
        )
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines([f"@pytest.mark.ec2_fault({', '.join(parts)}): *"])


def test_no_module_of_the_package_is_past_400_lines() -> None:
    """A module reads in one sitting; past ~400 lines it holds more than one idea."""
    import pathlib

    import pytest_ec2image

    root = pathlib.Path(pytest_ec2image.__file__).parent
    sizes = {
        str(path.relative_to(root)): len(path.read_text(encoding="utf-8").splitlines())
        for path in root.rglob("*.py")
    }
    assert len(sizes) > 40
    assert {name: n for name, n in sizes.items() if n > 400} == {}
