"""Every code example in ``docs/`` runs: a renamed parameter breaks a test, not a reader.

Each page's fenced blocks make one small project, written into a pytester directory:

- ``% file: NAME`` (a MyST comment, not rendered) on the line before a block writes the block
  as NAME; an unannotated ``python`` block is refused, so no example goes unrun by accident.
- Every ``test_*.py`` file of the page is then run by pytest in a subprocess (``% args: ...``
  adds options), and must pass with exactly as many passed tests as it has ``def test_``.
- ``% run: COMMAND`` under a ``% file:`` line runs COMMAND in the project (after pytest), and
  it must exit 0.
- ``text`` and ``console`` blocks are output and shell sessions shown to the reader; they are
  the only languages allowed without a ``% file:`` line.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
SHOWN_ONLY = {"text", "console"}
FENCE = re.compile(r"^(`{3,})([\w-]*)\s*$")
DIRECTIVE = re.compile(r"^% (file|run|args): (.+)$")


@dataclass
class Page:
    path: Path
    files: dict[str, str] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse(path: Path) -> Page:
    page = Page(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    pending: dict[str, list[str]] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = DIRECTIVE.match(line)
        if directive:
            kind, value = directive.groups()
            if kind == "args":
                page.args += shlex.split(value)
            else:
                pending.setdefault(kind, []).append(value)
            i += 1
            continue
        fence = FENCE.match(line)
        if fence and fence.group(2) and not fence.group(2).startswith("{"):
            ticks, language = fence.groups()
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == ticks)
            body = "\n".join(lines[i + 1 : end]) + "\n"
            names = pending.pop("file", [])
            where = f"{path.relative_to(DOCS)}:{i + 1}"
            if names:
                if names[0] in page.files:
                    page.problems.append(f"{where}: {names[0]} is written twice")
                page.files[names[0]] = body
                page.runs += pending.pop("run", [])
            elif language not in SHOWN_ONLY:
                page.problems.append(f"{where}: a {language} block without '% file: NAME'")
            i = end + 1
            continue
        if line.strip() and pending:
            page.problems.append(f"{path.relative_to(DOCS)}:{i + 1}: directive not before a block")
            pending.clear()
        i += 1
    return page


PAGES = sorted(DOCS.rglob("*.md"))


def test_the_docs_have_examples() -> None:
    runnable = [page for page in map(parse, PAGES) if page.files]
    assert len(runnable) >= 10, [str(page.path) for page in runnable]


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_examples_of_the_page_run(
    path: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = parse(path)
    assert not page.problems, page.problems
    if not page.files:
        return  # a page of prose and output only: nothing to run, nothing unchecked
    for name, body in page.files.items():
        target = pytester.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    # `python` in the examples' commands is this interpreter, with the plugin installed.
    shims = pytester.mkdir("_bin")
    shim = shims / "python"  # a script, not a symlink: a venv's python finds its venv by path
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    for variable in ("AWS_ENDPOINT_URL_EC2", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(variable, raising=False)

    tests = [name for name in page.files if Path(name).name.startswith("test_")]
    wanted = sum(
        len(re.findall(r"^\s*def test_", page.files[name], re.MULTILINE)) for name in tests
    )
    if tests:
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *page.args, *tests)
        outcomes = result.parseoutcomes()
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()
        assert outcomes == {"passed": wanted}, result.stdout.str()
    for command in page.runs:
        done = subprocess.run(
            shlex.split(command),
            cwd=pytester.path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
