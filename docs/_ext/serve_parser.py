"""The ``python -m pytest_ec2image`` parser, for sphinx-argparse (``reference/cli.md``)."""

from __future__ import annotations

import argparse

from pytest_ec2image.cli import _parsers


def parser() -> argparse.ArgumentParser:
    return _parsers()[0]
