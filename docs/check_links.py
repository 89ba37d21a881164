"""Check every internal link of the built HTML site: the file it names exists and, when it
has a ``#fragment``, that file has an element with that id. External links (with a scheme)
are left alone: the build has no network. Usage: ``python docs/check_links.py BUILD_DIR``."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("href", "src"):
            if values.get(name) and not (
                tag == "link" and name == "href" and "canonical" in str(values.get("rel"))
            ):
                self.links.append(str(values[name]))


def _parse(path: Path, cache: dict[Path, _Page]) -> _Page:
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        cache[path] = page
    return cache[path]


def broken_links(root: Path) -> list[str]:
    cache: dict[Path, _Page] = {}
    problems = []
    pages = sorted(root.rglob("*.html"))
    for path in pages:
        for link in _parse(path, cache).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("mailto:"):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(root)}: {link}"
            if not target.exists():
                problems.append(f"{where}: no such file")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in _parse(target, cache).ids
            ):
                problems.append(f"{where}: no element with id {parts.fragment!r}")
    if not pages:
        problems.append(f"{root}: no HTML pages")
    return problems


def main(argv: list[str]) -> int:
    [build] = argv
    problems = broken_links(Path(build))
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"check_links: {len(problems)} broken internal link(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
