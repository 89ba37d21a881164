"""What the installed botocore knows of RegisterImage: its wire form and its members.

The test tables give boto3 keyword arguments; ``serialize`` turns them into the wire
parameters the raw-HTTP side sends, checked against botocore's own serializer, so both
transports send the same request. EC2 keeps
adding RegisterImage members under Version 2016-11-15; an older botocore (the ``lowest`` tox
env) does not know the newest ones, and ``unknown_members`` says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import botocore
import botocore.session
from botocore.serialize import create_serializer
from botocore.validate import ParamValidator

OPERATION = botocore.session.get_session().get_service_model("ec2").operation_model("RegisterImage")
_SERIALIZER = create_serializer("ec2", include_validation=False)


#: RegisterImage's list members whose EC2 query name differs from the member name.
_QUERY_NAMES = {
    "BlockDeviceMappings": "BlockDeviceMapping",
    "TagSpecifications": "TagSpecification",
    "Tags": "Tag",
    "BillingProducts": "BillingProduct",
}


def serialize(kwargs: Mapping[str, Any]) -> dict[str, str]:
    """The wire parameters of these ``register_image`` kwargs, by EC2's query rules (reference
    1.1): lists flattened from 1, structures joined with ``.``, booleans ``true``/``false``.

    It does not depend on the installed botocore knowing every member; where it does,
    ``botocore_serialize`` must give the same parameters.
    """
    wire = {"Action": "RegisterImage", "Version": "2016-11-15"}

    def add(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                add(f"{prefix}{_QUERY_NAMES.get(key, key)}.", item)
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                add(f"{prefix}{index}.", item)
        elif isinstance(value, bool):
            wire[prefix[:-1]] = "true" if value else "false"
        else:
            wire[prefix[:-1]] = str(value)

    add("", kwargs)
    return wire


def botocore_serialize(kwargs: Mapping[str, Any]) -> dict[str, str]:
    """The wire parameters the installed botocore sends for these kwargs."""
    body: dict[str, str] = _SERIALIZER.serialize_to_request(dict(kwargs), OPERATION)["body"]
    return {k: str(v) for k, v in body.items()}


def boto3_refuses(kwargs: Mapping[str, Any]) -> bool:
    """Whether boto3's client-side validation stops these kwargs before sending them."""
    return ParamValidator().validate(dict(kwargs), OPERATION.input_shape).has_errors()


def unknown_members(kwargs: Mapping[str, Any], shape: Any = None, path: str = "") -> list[str]:
    """The members of ``kwargs`` (nested) the installed botocore's model does not have."""
    shape = OPERATION.input_shape if shape is None else shape
    found: list[str] = []
    if shape.type_name == "structure" and isinstance(kwargs, Mapping):
        for key, value in kwargs.items():
            if key not in shape.members:
                found.append(f"{path}{key}")
            else:
                found += unknown_members(value, shape.members[key], f"{path}{key}.")
    elif shape.type_name == "list" and isinstance(kwargs, list):
        for value in kwargs:
            found += unknown_members(value, shape.member, path)
    return found


def too_old_for(kwargs: Mapping[str, Any]) -> str:
    """A skip reason when this botocore cannot send ``kwargs``, else ``""``."""
    unknown = unknown_members(kwargs)
    if not unknown:
        return ""
    return f"botocore {botocore.__version__} has no RegisterImage member {', '.join(unknown)}"


def known_only(kwargs: Mapping[str, Any], shape: Any = None) -> Any:
    """``kwargs`` without the members the installed botocore does not know (for tests whose
    subject is not those members, so that they run with an old botocore too)."""
    shape = OPERATION.input_shape if shape is None else shape
    if shape.type_name == "structure" and isinstance(kwargs, Mapping):
        return {
            key: known_only(value, shape.members[key])
            for key, value in kwargs.items()
            if key in shape.members
        }
    if shape.type_name == "list" and isinstance(kwargs, list):
        return [known_only(value, shape.member) for value in kwargs]
    return kwargs
