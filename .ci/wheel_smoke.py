"""Release check (``tox -e pkg``): install the built wheel into a clean virtualenv and run a
one-test project against it, from a directory outside the source tree, so the test can only
see the installed distribution. Usage: ``python .ci/wheel_smoke.py DIST_DIR``."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

TEST = """\
import urllib.request

import pytest_ec2image


def test_register(ec2_registry):
    assert "site-packages" in pytest_ec2image.__file__
    url = ec2_registry.endpoint_url + "/?Action=RegisterImage&ImageLocation=bucket/web.manifest.xml"
    with urllib.request.urlopen(url) as answer:
        assert b"<imageId>ami-" in answer.read()
    ec2_registry.assert_registered(name="web", image_location="bucket/web.manifest.xml")
"""


def main(dist: str) -> int:
    [wheel] = Path(dist).glob("pytest_ec2image-*.whl")
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        venv.create(root / "venv", with_pip=True)
        python = root / "venv" / "bin" / "python"
        subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True)
        project = root / "project"
        project.mkdir()
        (project / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
        (project / "test_smoke.py").write_text(TEST)
        done = subprocess.run(
            [python, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
            cwd=project,
            capture_output=True,
            text=True,
        )
        print(done.stdout, done.stderr, sep="\n")
        if done.returncode != 0 or "1 passed" not in done.stdout:
            print("wheel_smoke: the one-test project failed against the installed wheel")
            return 1
    print(f"wheel_smoke: {wheel.name} installed in a clean venv; its one-test project passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
