"""The EC2 actions the fake serves: the table the request pipeline routes on.

Each row names where the action's handler lives (a module of this package and a function in
it) and the parameter shapes it takes per API generation (:mod:`.parameters`). The handler
module is imported when the action is first served, so the table, and the ``Ec2Registry``
facade that checks faults against it, cost no handler and no lxml. ``CONTRIBUTING.md`` says
how to add a row.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Final

from ..errors import Ec2Error
from ..wire.query import shape_of
from . import parameters as p

if TYPE_CHECKING:
    from ..faults import Fault
    from .context import Handler

__all__ = ["ACTIONS", "Action", "check_fault"]


@dataclass(frozen=True, slots=True)
class Action:
    """A served action: its handler's ``module`` and ``function`` in this package, and the
    parameter shapes it knows per API generation (``legacy_params`` is ``None`` when the
    action did not exist in 2009-10-31)."""

    module: str
    function: str
    params: frozenset[str]
    legacy_params: frozenset[str] | None = None

    @property
    def takes_dry_run(self) -> bool:
        """Whether the action has a ``DryRun`` parameter (today's generation)."""
        return "DryRun" in self.params

    def handler(self) -> Handler:
        """The handler function, its module imported on first use (looked up in the module
        on every call, so a test may monkeypatch it there)."""
        handler: Handler = getattr(_module(self.module), self.function)
        return handler


@functools.cache
def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


ACTIONS: Final[dict[str, Action]] = {
    "RegisterImage": Action(
        "register_image", "register_image", p.REGISTER_IMAGE, p.REGISTER_IMAGE_LEGACY
    ),
    "DescribeImages": Action(
        "describe_images", "describe_images", p.DESCRIBE_IMAGES, p.DESCRIBE_IMAGES_LEGACY
    ),
    "DeregisterImage": Action(
        "deregister_image", "deregister_image", p.DEREGISTER_IMAGE, p.DEREGISTER_IMAGE_LEGACY
    ),
    "CreateTags": Action("tags", "create_tags", p.CHANGE_TAGS),
    "DeleteTags": Action("tags", "delete_tags", p.CHANGE_TAGS),
    "DescribeTags": Action("tags", "describe_tags", p.DESCRIBE_TAGS),
    "DescribeImageAttribute": Action(
        "image_attributes",
        "describe_image_attribute",
        p.DESCRIBE_IMAGE_ATTRIBUTE,
        p.DESCRIBE_IMAGE_ATTRIBUTE_LEGACY,
    ),
    "DescribeSnapshots": Action(
        "snapshots", "describe_snapshots", p.DESCRIBE_SNAPSHOTS, p.DESCRIBE_SNAPSHOTS_LEGACY
    ),
    "CopyImage": Action("copy_image", "copy_image", p.COPY_IMAGE),
    "DeleteSnapshot": Action(
        "snapshots", "delete_snapshot", p.DELETE_SNAPSHOT, p.DELETE_SNAPSHOT_LEGACY
    ),
    "ModifySnapshotAttribute": Action(
        "snapshot_attributes",
        "modify_snapshot_attribute",
        p.MODIFY_SNAPSHOT_ATTRIBUTE,
        p.MODIFY_SNAPSHOT_ATTRIBUTE_LEGACY,
    ),
    "DescribeSnapshotAttribute": Action(
        "snapshot_attributes",
        "describe_snapshot_attribute",
        p.SNAPSHOT_ATTRIBUTE,
        p.SNAPSHOT_ATTRIBUTE_LEGACY,
    ),
    "ResetSnapshotAttribute": Action(
        "snapshot_attributes",
        "reset_snapshot_attribute",
        p.SNAPSHOT_ATTRIBUTE,
        p.SNAPSHOT_ATTRIBUTE_LEGACY,
    ),
    "ModifyImageAttribute": Action(
        "modify_image_attribute",
        "modify_image_attribute",
        p.MODIFY_IMAGE_ATTRIBUTE,
        p.MODIFY_IMAGE_ATTRIBUTE_LEGACY,
    ),
    "ResetImageAttribute": Action(
        "modify_image_attribute",
        "reset_image_attribute",
        p.RESET_IMAGE_ATTRIBUTE,
        p.RESET_IMAGE_ATTRIBUTE_LEGACY,
    ),
    "EnableImageDeprecation": Action(
        "deprecation", "enable_image_deprecation", p.ENABLE_IMAGE_DEPRECATION
    ),
    "DisableImageDeprecation": Action("deprecation", "disable_image_deprecation", p.IMAGE_ID_ONLY),
    "EnableImageDeregistrationProtection": Action(
        "protection",
        "enable_image_deregistration_protection",
        p.ENABLE_IMAGE_DEREGISTRATION_PROTECTION,
    ),
    "DisableImageDeregistrationProtection": Action(
        "protection", "disable_image_deregistration_protection", p.IMAGE_ID_ONLY
    ),
    "DisableImage": Action("enable_image", "disable_image", p.IMAGE_ID_ONLY),
    "EnableImage": Action("enable_image", "enable_image", p.IMAGE_ID_ONLY),
}


# --- faults against the table ----------------------------------------------------------------


def check_fault(fault: Fault) -> None:
    """A fault for an action the fake does not serve, or a ``when`` naming a parameter the
    action does not have, would silently never fire: refuse it up front."""
    action = ACTIONS.get(fault.action)
    if action is None:
        raise ValueError(
            f"{fault.action!r} is not an action the fake serves, so this fault could never "
            f"fire; served actions: {', '.join(sorted(ACTIONS))}"
        )
    if fault.when is None or callable(fault.when):
        return
    known = action.params | (action.legacy_params or frozenset())
    for key in fault.when:
        try:
            shape = shape_of(key)
        except Ec2Error:
            shape = ""
        if shape not in known:
            raise ValueError(
                f"when={{{key!r}: ...}}: {key!r} is not a {fault.action} wire parameter, so "
                f"this fault could never fire (wire names look like "
                f"{_example_names(action.params)})"
            )


def _example_names(shapes: frozenset[str]) -> str:
    examples = sorted(s.replace(".N", ".1") for s in shapes if s not in ("Action", "Version"))
    return ", ".join(examples[:4]) + (", ..." if len(examples) > 4 else "")
