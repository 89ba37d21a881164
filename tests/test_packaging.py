"""What gets shipped, and what importing the plugin costs: the wheel's metadata and files,
the installed distribution the tests import, and the entry point's import footprint."""

from __future__ import annotations

import email
import importlib.metadata
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import pytest_ec2image

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("werkzeug", "lxml", "pytest_httpserver", "boto3", "botocore")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """A wheel built from this source tree, the way pip builds one for users."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [built] = out.glob("pytest_ec2image-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def _dist_info(wheel: zipfile.ZipFile, name: str) -> str:
    [path] = [n for n in wheel.namelist() if n.endswith(f".dist-info/{name}")]
    return wheel.read(path).decode()


def test_wheel_declares_the_pytest11_entry_point(wheel: zipfile.ZipFile) -> None:
    entry_points = _dist_info(wheel, "entry_points.txt")
    section = entry_points.split("[pytest11]", 1)[1].split("[", 1)[0]
    assert [line.replace(" ", "") for line in section.split("\n") if line.strip()] == [
        "ec2image=pytest_ec2image.plugin"
    ]


def test_wheel_metadata_has_the_classifiers_and_extras(wheel: zipfile.ZipFile) -> None:
    metadata = email.message_from_string(_dist_info(wheel, "METADATA"))
    classifiers = metadata.get_all("Classifier")
    assert "Framework :: Pytest" in classifiers
    assert "Typing :: Typed" in classifiers
    requires = metadata.get_all("Requires-Dist")
    # boto3 is optional: the fixture serves any client, and the plugin never imports it.
    assert not any(r.startswith("boto3") and "extra" not in r for r in requires)
    assert any(r.startswith("boto3") and "extra == 'boto3'" in r for r in requires)


def test_wheel_ships_the_package_with_py_typed_and_nothing_else(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert "pytest_ec2image/py.typed" in names
    assert "pytest_ec2image/plugin.py" in names
    top_level = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == {"pytest_ec2image"}


def test_installed_distribution_registers_the_plugin() -> None:
    [entry] = [e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "ec2image"]
    assert entry.value == "pytest_ec2image.plugin"
    assert entry.dist is not None
    assert entry.dist.metadata["Name"] == "pytest-ec2image"


def test_tests_import_the_installed_package() -> None:
    """Under tox the wheel, not the source tree, is what the tests exercise."""
    dist = importlib.metadata.distribution("pytest-ec2image")
    imported = Path(pytest_ec2image.__file__).resolve()
    installed = {str(f) for f in dist.files or ()}
    if "pytest_ec2image/__init__.py" in installed:
        assert imported == Path(str(dist.locate_file("pytest_ec2image/__init__.py"))).resolve()
    else:
        # An editable install (a developer's `pip install -e .`) installs the source tree.
        assert "TOX_ENV_NAME" not in os.environ, "tox must test a built wheel, not the sources"
        assert imported == ROOT / "pytest_ec2image" / "__init__.py"


@pytest.mark.parametrize("module", ["pytest_ec2image", "pytest_ec2image.plugin"])
def test_importing_the_plugin_loads_no_server_or_client_library(
    module: str, tmp_path: Path
) -> None:
    script = (
        "import json, sys\n"
        f"import {module}\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    # Run from an empty directory so the installed package is what gets imported.
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []


PLUGIN_USER = """
def test_uses_fixture(ec2_registry):
    assert ec2_registry.images == {}
"""


def test_plugin_is_active_by_default(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PLUGIN_USER)
    pytester.runpytest().assert_outcomes(passed=1)


def test_dash_p_no_ec2image_disables_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PLUGIN_USER)
    result = pytester.runpytest("-p", "no:ec2image")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'ec2_registry' not found*"])
    result.stdout.no_fnmatch_line("ec2-registry: seed=*")
    assert (
        "--ec2-registry-seed" not in pytester.runpytest("-p", "no:ec2image", "--help").stdout.str()
    )
