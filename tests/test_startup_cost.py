"""Start-up cost: a pytest run pays for the server's libraries only once a test uses the fixture.

(``tests/test_packaging.py`` checks the bare ``import pytest_ec2image.plugin``; these check a
whole pytest run, where the plugin's hooks run too, and when the server starts.)
"""

from __future__ import annotations

import json

import pytest

HEAVY = ("werkzeug", "lxml", "pytest_httpserver", "boto3", "botocore")
#: pytest-httpserver (a dependency) registers a pytest plugin of its own that imports werkzeug
#: at every start-up; it is blocked where a test measures what *this* plugin loads.
NO_HTTPSERVER_PLUGIN = ("-p", "no:pytest_httpserver")

RECORDER = f"""
import json
import sys
import threading

HEAVY = {HEAVY!r}

def loaded():
    return sorted({{m.split(".")[0] for m in sys.modules}} & set(HEAVY))

def servers():
    return [t.name for t in threading.enumerate() if t.name == "pytest-ec2image-server"]

def pytest_collection_finish(session):
    with open("collected.json", "w") as out:
        json.dump({{"loaded": loaded(), "servers": servers()}}, out)
"""


def collect(pytester: pytest.Pytester, *args: str) -> dict[str, list[str]]:
    pytester.makeconftest(RECORDER)
    pytester.makepyfile(
        "def test_plain(): pass\n\ndef test_with_registry(ec2_registry): pass\n",
    )
    result = pytester.runpytest_subprocess("--co", "--ec2-registry-seed=5", *args)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["ec2-registry: seed=5 (reproduce with --ec2-registry-seed=5)"])
    collected: dict[str, list[str]] = json.loads(
        pytester.path.joinpath("collected.json").read_text()
    )
    return collected


def test_collecting_a_project_loads_no_server_library(pytester: pytest.Pytester) -> None:
    assert collect(pytester, *NO_HTTPSERVER_PLUGIN) == {"loaded": [], "servers": []}


def test_with_every_installed_plugin_only_httpservers_own_imports_load(
    pytester: pytest.Pytester,
) -> None:
    """What a default install pays: pytest-httpserver's plugin brings werkzeug; lxml and
    boto3 still wait for the fixture."""
    collected = collect(pytester)
    assert set(collected["loaded"]) <= {"pytest_httpserver", "werkzeug"}
    assert collected["servers"] == []


def test_server_starts_on_first_use_of_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(RECORDER)
    pytester.makepyfile(
        """
        from conftest import loaded, servers

        def test_1_without_the_fixture():
            assert loaded() == []
            assert servers() == []

        def test_2_first_user(ec2_registry):
            assert "werkzeug" in loaded() and "lxml" in loaded()
            assert servers() == ["pytest-ec2image-server"]

        def test_3_same_server(ec2_registry, ec2_registry_server):
            assert servers() == ["pytest-ec2image-server"]
            assert ec2_registry.endpoint_url == ec2_registry_server.endpoint_url
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:xdist", *NO_HTTPSERVER_PLUGIN)
    result.assert_outcomes(passed=3)
