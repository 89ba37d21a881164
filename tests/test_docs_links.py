"""docs/check_links.py, which ``tox -e docs`` runs over the built site, finds broken internal
links and anchors and leaves external links alone."""

from __future__ import annotations

import importlib.util
from pathlib import Path

CHECKER = Path(__file__).resolve().parents[1] / "docs" / "check_links.py"


def _checker():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("check_links", CHECKER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_finds_missing_pages_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "how-to").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="how-to/a.html#steps">ok</a> <a href="how-to/a.html#nope">bad anchor</a>'
        '<a href="gone.html">bad page</a> <a href="https://example.org/x.html">external</a>'
        '<a href="#top">self</a><div id="top"></div>'
    )
    (tmp_path / "how-to" / "a.html").write_text('<h2 id="steps">Steps</h2><a href="../">up</a>')

    problems = _checker().broken_links(tmp_path)

    assert problems == [
        "index.html: how-to/a.html#nope: no element with id 'nope'",
        "index.html: gone.html: no such file",
    ]


def test_an_empty_build_is_an_error(tmp_path: Path) -> None:
    assert _checker().broken_links(tmp_path) == [f"{tmp_path}: no HTML pages"]
