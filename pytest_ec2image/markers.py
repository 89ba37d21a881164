"""The arguments of the ``ec2_registry`` and ``ec2_fault`` markers, bound and checked.

Free of pytest, like the rest of the core: a binder raises ``TypeError`` or ``ValueError``
naming the problem, and the plugin turns that into a usage error naming the test and the
marker as written.
"""

from __future__ import annotations

import inspect
from typing import Any


def _registry_settings(
    *,
    strict: bool | None = None,
    region: str | None = None,
    account_id: str | None = None,
    pending_describes: int | None = None,
    deregistered_describes: int | None = None,
    images: list[dict[str, Any]] | None = None,
    snapshots: list[dict[str, Any]] | None = None,
    manifests: list[dict[str, Any]] | None = None,
    verify_signatures: bool | None = None,
) -> dict[str, Any]:
    given = {k: v for k, v in locals().items() if v is not None}
    _expect("strict", strict, bool)
    _expect("region", region, str)
    _expect("account_id", account_id, str)
    _expect("pending_describes", pending_describes, int)
    _expect("deregistered_describes", deregistered_describes, int)
    _expect("verify_signatures", verify_signatures, bool)
    for name, count in (
        ("pending_describes", pending_describes),
        ("deregistered_describes", deregistered_describes),
    ):
        if count is not None and count < 0:
            raise ValueError(f"{name} must be >= 0, got {count}")
    for kind, entries in (("images", images), ("snapshots", snapshots), ("manifests", manifests)):
        if entries is not None and (
            not isinstance(entries, (list, tuple)) or not all(isinstance(e, dict) for e in entries)
        ):
            raise TypeError(f"{kind} must be a list of dicts (keyword arguments), got {entries!r}")
    return given


def fault_arguments(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """The ``ec2_fault`` marker's arguments as keyword arguments of :meth:`Ec2Registry.fail`,
    bound to its signature (so the marker takes exactly what the method takes); the values
    are checked when the fault is built."""
    from .registry import Ec2Registry

    bound = inspect.signature(Ec2Registry.fail).bind(None, *args, **kwargs)
    bound.apply_defaults()
    return {name: value for name, value in bound.arguments.items() if name != "self"}


def _expect(name: str, value: object, kind: type) -> None:
    # bool is an int subclass, but pending_describes=True is a mistake, not a 1.
    if value is not None and (not isinstance(value, kind) or (kind is int and value is True)):
        raise TypeError(f"{name} must be {kind.__name__}, got {value!r}")


def registry_settings(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """The ``ec2_registry`` marker's keywords, checked: the registry settings it gives."""
    # Bound first, so a misspelt keyword is named without a function name the user never wrote.
    inspect.signature(_registry_settings).bind(*args, **kwargs)
    return _registry_settings(*args, **kwargs)
