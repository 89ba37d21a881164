"""The README's Python examples run: the front page on the package index cannot drift.

The README is rendered on the package index, where a MyST ``%`` comment would show, so its
convention is an HTML comment: ``<!-- file: NAME -->`` on the line before a fenced block
writes the block as NAME. An unannotated ``python`` block is refused; ``text``, ``console``,
``sh`` and ``ini`` blocks are shown only (the quick start's shell commands are run by
``.ci/run``, and ``test_the_quick_start_is_what_ci_runs`` keeps the two in agreement). The
examples import the example project's ``bake`` module, which is copied next to them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHOWN_ONLY = {"text", "console", "sh", "ini"}
FENCE = re.compile(r"^(`{3,})([\w-]*)\s*$")
FILE = re.compile(r"^<!-- file: (\S+) -->$")


def blocks() -> tuple[dict[str, str], list[str]]:
    lines = README.read_text(encoding="utf-8").splitlines()
    files: dict[str, str] = {}
    problems: list[str] = []
    pending: str | None = None
    i = 0
    while i < len(lines):
        directive = FILE.match(lines[i])
        fence = FENCE.match(lines[i])
        if directive:
            pending = directive.group(1)
        elif fence and fence.group(2):
            ticks, language = fence.groups()
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == ticks)
            if pending:
                files[pending] = "\n".join(lines[i + 1 : end]) + "\n"
            elif language not in SHOWN_ONLY:
                problems.append(f"README.md:{i + 1}: a {language} block without <!-- file: -->")
            pending = None
            i = end
        elif lines[i].strip() and pending:
            problems.append(f"README.md:{i + 1}: <!-- file: {pending} --> not before a block")
            pending = None
        i += 1
    return files, problems


def test_the_readme_examples_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, problems = blocks()
    assert not problems, problems
    assert files, "the README has no runnable example"
    for name, body in files.items():
        (pytester.path / name).write_text(body, encoding="utf-8")
    (pytester.path / "bake.py").write_text((ROOT / "examples" / "bake.py").read_text("utf-8"))
    for variable in ("AWS_ENDPOINT_URL_EC2", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    wanted = sum(len(re.findall(r"^def test_", body, re.MULTILINE)) for body in files.values())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *files)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert result.parseoutcomes() == {"passed": wanted}, result.stdout.str()


def test_the_quick_start_is_what_ci_runs() -> None:
    readme = README.read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install . "./examples[test]" && .venv/bin/pytest examples' in readme
    assert '"$VENV/bin/pip" install -q . "./examples[test]"' in ci
    assert '"$VENV/bin/pytest" examples' in ci
    assert ".venv/bin/pip install tox && .venv/bin/tox\n" in readme
    assert '"$VENV/bin/pip" install -q tox' in ci
    assert '"$VENV/bin/tox" --skip-missing-interpreters false' in ci
    assert "README" in ci  # .ci/run says it runs the README's quick start
