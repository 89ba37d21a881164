"""pytest-ec2image: a fast, faithful fake of EC2 RegisterImage and the calls around it.

The names below load on first use: pytest imports this package at every start-up, and the
server's dependencies (werkzeug, lxml) must not be paid for by runs that never use it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .actions.unimplemented import UnimplementedActionWarning
    from .errors import Ec2Error
    from .faults import Fault
    from .model import BlockDeviceMapping, Call, CallLog, EbsBlockDevice, Image, Snapshot
    from .registry import Ec2Registry
    from .standalone import run_registry

__all__ = [
    "BlockDeviceMapping",
    "Call",
    "CallLog",
    "EbsBlockDevice",
    "Ec2Error",
    "Ec2Registry",
    "Fault",
    "Image",
    "Snapshot",
    "UnimplementedActionWarning",
    "run_registry",
]

_HOMES = {
    "BlockDeviceMapping": "model",
    "Call": "model",
    "CallLog": "model",
    "EbsBlockDevice": "model",
    "Image": "model",
    "Snapshot": "model",
    "Ec2Error": "errors",
    "Fault": "faults",
    "Ec2Registry": "registry",
    "run_registry": "standalone",
    "UnimplementedActionWarning": "actions.unimplemented",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pytest_ec2image' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
