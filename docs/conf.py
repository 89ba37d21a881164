"""Sphinx configuration of the pytest-ec2image documentation (``tox -e docs`` builds it)."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

# _ext/ holds serve_parser.py, the CLI parser for sphinx-argparse.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "pytest-ec2image"
author = "pytest-ec2image developers"
copyright = "pytest-ec2image developers"  # noqa: A001 (Sphinx's name)
release = importlib.metadata.version("pytest-ec2image")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinxarg.ext",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# MyST: anchors for headings down to level 3, so [text](page.md#a-heading) links resolve and
# `-n` reports the ones that do not.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

# Every broken reference is an error (`-W -n`). The build has no network, so there is no
# intersphinx inventory for the standard library or the dependencies: their names in
# signatures cannot resolve, and only those are let through. A reference to one of this
# project's own names that does not resolve still fails the build.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(collections\.abc|typing|datetime|pathlib|os|enum|threading)\..*"),
    (r"py:.*", r"(Any|Mapping|Iterable|Callable|Iterator|Sequence|datetime|BaseClient)"),
    (r"py:.*", r"(botocore|boto3|pytest|_pytest|werkzeug|pytest_httpserver)(\..*)?"),
    (r"py:class", r"(int|str|bool|float|bytes|object|None|tuple|list|dict)"),
    # Type aliases of this package (no class to link to; their definitions are in the
    # signatures' prose), names imported only under TYPE_CHECKING (unqualified in the
    # signature), and autodoc's split of ``tuple[str, ...]``.
    (r"py:class", r"(Matcher|ManifestSource|FaultKind|ClockSource|Ec2Server|tuple\[str)"),
]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": False}

html_theme = "furo"
html_title = f"pytest-ec2image {release}"
html_static_path: list[str] = []
