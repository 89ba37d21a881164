"""The checks behind ``Ec2Registry.assert_*``, and the messages that explain a miss.

A failed assertion says expected vs actual: every candidate (closest first) with the fields
that differed, down to the innermost part (``block_device_mappings[0].ebs.encrypted``), or the
calls that were made. The plugin registers this module for pytest's assertion rewriting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any, Final

from .model import Call, CallLog, Image, StateReason, mapping_from
from .preload import IMAGE_FIELDS
from .store import RegistryState

#: How many images or calls an assertion message lists before it summarizes the rest.
_MAX_LISTED: Final = 20


def assert_registered(state: RegistryState, region: str, expected: Mapping[str, Any]) -> Image:
    """The one image of ``region`` whose fields equal ``expected``; otherwise an
    ``AssertionError`` listing every image with the fields that differed."""
    __tracebackhide__ = True
    unknown = sorted(set(expected) - IMAGE_FIELDS - {"snapshot_ids", "is_public"})
    if unknown:
        raise TypeError(
            f"assert_registered() got unknown fields: {', '.join(unknown)} "
            f"(Image fields are: {', '.join(sorted(IMAGE_FIELDS))})"
        )
    wanted = {key: _comparable(key, value) for key, value in expected.items()}
    with state.lock:
        images = list(state.region(region).images.values())
    compared = [(image, _differences(image, wanted)) for image in images]
    matches = [image for image, diffs in compared if not diffs]
    if len(matches) == 1:
        return matches[0]
    criteria = ", ".join(f"{k}={v!r}" for k, v in expected.items()) or "(any fields)"
    head = f"expected exactly one image in {region} with {criteria}"
    if not images:
        others = sorted(
            name for name, held in state.regions.items() if held.images and name != region
        )
        hint = f" (images exist in {', '.join(others)})" if others else ""
        raise AssertionError(f"{head}; no image is registered there at all{hint}")
    if matches:
        lines = [f"{head}; {len(matches)} images match:"]
        lines += [f"  {_label(image)}" for image in matches]
        raise AssertionError("\n".join(lines))
    compared.sort(key=lambda pair: len(pair[1]))
    lines = [f"{head}; none of the {len(images)} image(s) matches:"]
    for image, diffs in compared[:_MAX_LISTED]:
        shown = ", ".join(f"{key}={got!r} (expected {want!r})" for key, got, want in diffs)
        lines.append(f"  {_label(image)}: {shown}")
    if len(compared) > _MAX_LISTED:
        lines.append(f"  ... and {len(compared) - _MAX_LISTED} more")
    raise AssertionError("\n".join(lines))


def assert_not_registered(images: Mapping[str, Image], region: str, name: str) -> None:
    """No image of ``images`` (``region``'s) is named ``name``."""
    __tracebackhide__ = True
    holders = [i for i in images.values() if i.name == name]
    if holders:
        found = ", ".join(_label(image) for image in holders)
        raise AssertionError(f"expected no image named {name!r} in {region}, found {found}")


def assert_called(calls: CallLog, action: str, times: int | None) -> list[Call]:
    """The calls of ``action`` in ``calls``: ``times`` of them, or at least one when ``None``."""
    __tracebackhide__ = True
    if times is not None and (isinstance(times, bool) or not isinstance(times, int)):
        raise TypeError(f"times must be a whole number or None, got {times!r}")
    matching = calls.of(action)
    if (times is None and matching) or len(matching) == times:
        return matching
    want = "at least once" if times is None else f"{times} time(s)"
    every = list(calls)
    seen = [f"  {c.summary()}" for c in every[-_MAX_LISTED:]] or ["  (no calls at all)"]
    if len(every) > _MAX_LISTED:
        seen.insert(0, f"  ... {len(every) - _MAX_LISTED} earlier call(s)")
    raise AssertionError(
        f"expected {action} to be called {want}, it was called {len(matching)} time(s); "
        "calls:\n" + "\n".join(seen)
    )


def _label(image: Image) -> str:
    state = "" if image.state == "available" else f", {image.state}"
    return f"{image.image_id} ({image.name}{state})"


def _comparable(key: str, value: Any) -> Any:
    """``expected`` values in the form the :class:`Image` field holds."""
    if key == "block_device_mappings" and isinstance(value, (list, tuple)):
        return tuple(mapping_from(m) for m in value)
    if key == "state_reason" and isinstance(value, Mapping):
        return StateReason(**value)
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _differences(image: Image, expected: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []
    for key, want in expected.items():
        got = getattr(image, key)
        if isinstance(got, Mapping):
            got = dict(got)
        if got != want:
            out += _narrow(key, got, want)
    return out


def _narrow(path: str, got: Any, want: Any) -> list[tuple[str, Any, Any]]:
    """The innermost differing parts of two unequal values: for a block device mapping, the
    field that differs (``block_device_mappings[0].ebs.encrypted``), not two long reprs."""
    if is_dataclass(got) and type(got) is type(want):
        parts: list[tuple[str, Any, Any]] = []
        for f in fields(got):
            mine, theirs = getattr(got, f.name), getattr(want, f.name)
            if mine != theirs:
                parts += _narrow(f"{path}.{f.name}", mine, theirs)
        return parts
    if isinstance(got, tuple) and isinstance(want, tuple) and len(got) == len(want):
        parts = []
        for index, (mine, theirs) in enumerate(zip(got, want, strict=True)):
            if mine != theirs:
                parts += _narrow(f"{path}[{index}]", mine, theirs)
        return parts
    return [(path, got, want)]
