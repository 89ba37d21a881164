"""The preload data file (``--ec2-registry-data``, ini ``ec2_registry_data``, ``serve --data``).

A JSON object ``{"images": [...], "snapshots": [...], "manifests": [...]}`` whose entries hold
the keyword arguments of ``add_image`` / ``add_snapshot`` / ``add_manifest``. This module
needs neither pytest nor the server: the plugin turns :class:`DataFileError` into a usage
error and the ``serve`` command into an exit status.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

#: The lists a data file (and the ``ec2_registry`` marker) may preload, in the order they are
#: applied: images may refer to the snapshots and manifests declared before them.
KINDS: Final = ("snapshots", "manifests", "images")

Preload = dict[str, list[dict[str, Any]]]


class DataFileError(ValueError):
    """A data file that cannot be read or holds something the registry would refuse."""


def empty() -> Preload:
    """A preload with nothing in it."""
    return {kind: [] for kind in KINDS}


def load_data(
    path: str | Path, *, region: str | None = None, account_id: str | None = None
) -> Preload:
    """Read and check the data file at ``path``.

    Every entry is applied to a throw-away registry (in ``region`` and ``account_id`` when
    given), so a bad entry fails here, once, naming the file and the entry, instead of in
    every test that would preload it.
    """
    where = f"ec2-registry data file {path}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise DataFileError(f"{where}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise DataFileError(f"{where}: not UTF-8 text: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(f"{where}: invalid JSON: {error}") from None
    expected = ", ".join(repr(k) for k in sorted(KINDS))
    if not isinstance(data, dict):
        raise DataFileError(
            f"{where}: expected a JSON object with keys {expected}, got {type(data).__name__}"
        )
    unknown = sorted(set(data) - set(KINDS))
    if unknown:
        raise DataFileError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))} (expected {expected})"
        )
    preload = empty()
    for kind in KINDS:
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            raise DataFileError(
                f"{where}: {kind!r} must be a list of objects, got {type(entries).__name__}"
            )
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise DataFileError(
                    f"{where}: {kind}[{index}] must be an object, got {type(entry).__name__}"
                )
        preload[kind] = entries
    check_preload(preload, where, region=region, account_id=account_id)
    return preload


def check_preload(
    preload: Mapping[str, Iterable[Mapping[str, Any]]],
    where: str,
    *,
    region: str | None = None,
    account_id: str | None = None,
) -> None:
    """Apply ``preload`` to a throw-away registry; raise :class:`DataFileError` naming the
    first entry it refuses (``images[2]: AMI name web is already in use ...``)."""
    # Imported here: the plugin loads this module at start-up, the registry only when a
    # file is given.
    from .registry import Ec2Registry

    settings: dict[str, Any] = {"seed": 0}
    if region is not None:
        settings["region"] = region
    if account_id is not None:
        settings["account_id"] = account_id
    registry = Ec2Registry(**settings)
    adders: dict[str, Callable[..., object]] = {
        "snapshots": registry.add_snapshot,
        "manifests": registry.add_manifest,
        "images": registry.add_image,
    }
    for kind in KINDS:
        for index, entry in enumerate(preload.get(kind, ())):
            try:
                adders[kind](**entry)
            except Exception as error:  # whatever add_* refuses, the file's author must see
                raise DataFileError(f"{where}: {kind}[{index}]: {_describe(error, kind)}") from None


def merge(base: Preload, override: Mapping[str, Iterable[Mapping[str, Any]]]) -> Preload:
    """``base`` with ``override``'s entries added; an override entry replaces a base entry
    for the same thing (an image of the same name, region and owner; a snapshot of the same
    id; a manifest at the same location), so a marker can redefine a data-file preload."""
    merged = empty()
    for kind in KINDS:
        extra = [dict(entry) for entry in override.get(kind, ())]
        replaced = set().union(*(_identities(kind, entry) for entry in extra))
        kept = [e for e in base.get(kind, []) if not _identities(kind, e) & replaced]
        merged[kind] = kept + extra
    return merged


def _identities(kind: str, entry: Mapping[str, Any]) -> set[tuple[Any, ...]]:
    if kind == "images":
        keys: set[tuple[Any, ...]] = {
            ("name", entry.get("name"), entry.get("region"), entry.get("owner_id"))
        }
        if entry.get("image_id"):
            keys.add(("id", entry["image_id"]))
        return keys
    key = entry.get("snapshot_id" if kind == "snapshots" else "location")
    return set() if key is None else {(key,)}


def _describe(error: Exception, kind: str) -> str:
    text = str(error)
    if isinstance(error, KeyError) and error.args:
        text = str(error.args[0])
    if isinstance(error, TypeError):
        # ``add_image() got an unexpected keyword ...`` names a method the file never mentions.
        text = text.replace("Ec2Registry.", "")
    return text or f"{type(error).__name__} ({kind} entry refused)"
