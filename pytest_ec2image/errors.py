"""One error type for everything the fake answers with an EC2 error, and AWS's code table."""

from __future__ import annotations

from typing import Final, final

#: HTTP status for each EC2 error code the fake can produce (reference section 1.4); any code
#: not listed is a client error and answers 400.
STATUS_BY_CODE: Final[dict[str, int]] = {
    "AuthFailure": 401,
    "UnauthorizedOperation": 403,
    "SignatureDoesNotMatch": 403,
    "MissingAuthenticationToken": 403,
    "DryRunOperation": 412,
    "RequestEntityTooLarge": 413,
    "RequestLimitExceeded": 503,
    "Unavailable": 503,
    "ServiceUnavailable": 503,
    "InternalError": 500,
}

#: AWS's wording for codes whose message does not depend on the request (reference 1.4, 3.13).
DEFAULT_MESSAGES: Final[dict[str, str]] = {
    "AuthFailure": "AWS was not able to validate the provided access credentials",
    "UnauthorizedOperation": "You are not authorized to perform this operation.",
    "SignatureDoesNotMatch": (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    ),
    "MissingAuthenticationToken": (
        "Request must contain either a valid (registered) AWS access key ID or X.509 certificate."
    ),
    "IncompleteSignature": "The request signature does not conform to AWS standards.",
    "DryRunOperation": "Request would have succeeded, but DryRun flag is set.",
    "RequestLimitExceeded": "Request limit exceeded.",
    "RequestExpired": "Request has expired.",
    "InternalError": (
        "An internal error has occurred. Retry your request, but if the problem persists, "
        "contact us with details by posting a message on the AWS forums."
    ),
    "Unavailable": "The server is overloaded and can't handle the request.",
    "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
    "InvalidManifest": (
        "The specified AMI has an unparsable manifest, or you may not have access to the "
        "location of the manifest file in Amazon S3."
    ),
    "InvalidAMIName.Malformed": (
        "AMI names must be between 3 and 128 characters long, and may contain letters, "
        "numbers, '(', ')', '.', '-', '/' and '_'"
    ),
    "InvalidKernelId.Malformed": (
        "The specified kernel ID is not valid. Ensure that you specify the kernel ID in the "
        "form aki-xxxxxxxx."
    ),
    "InvalidRamDiskId.Malformed": (
        "The specified RAM disk ID is not valid. Ensure that you specify the RAM disk ID in the "
        "form ari-xxxxxxxx."
    ),
    "InvalidAMIID.Unavailable": (
        "The specified AMI has been deregistered and is no longer available, or is not in a "
        "state from which you can launch an instance or modify attributes."
    ),
}


#: AWS's description of codes whose real message names the request's values (reference 3.13);
#: an injected fault of such a code without its own message answers with this text.
DESCRIPTIONS: Final[dict[str, str]] = {
    "InvalidAMIName.Duplicate": "The specified AMI name is already in use by another AMI.",
    "InvalidSnapshot.NotFound": "The specified snapshot does not exist.",
    "InvalidSnapshotID.Malformed": "The snapshot ID is not valid.",
    "InvalidAMIID.NotFound": "The specified AMI doesn't exist.",
    "InvalidAMIID.Malformed": (
        "The specified AMI ID is malformed. Ensure that you provide the full AMI ID, in the form "
        "ami-xxxxxxxxxxxxxxxxx."
    ),
    "InvalidParameterValue": (
        "A value specified in a parameter is not valid, is unsupported, or cannot be used."
    ),
    "InvalidParameterCombination": "Indicates an incorrect combination of parameters.",
    "MissingParameter": "The request is missing a required parameter.",
    "InvalidBlockDeviceMapping": "A block device mapping parameter is not valid.",
    "ResourceLimitExceeded": "You have exceeded an Amazon EC2 resource limit.",
    "IncorrectState": "The resource is in an incorrect state for the request.",
}


def fault_message(code: str) -> str:
    """The message an injected error of ``code`` answers with when the test gives none."""
    return DEFAULT_MESSAGES.get(code) or DESCRIPTIONS.get(code) or code


def status_for(code: str) -> int:
    """The HTTP status AWS answers ``code`` with."""
    return STATUS_BY_CODE.get(code, 400)


@final
class Ec2Error(Exception):
    """An EC2 error answer: ``code``, ``message`` and HTTP ``status``.

    Raised by the fake's handlers and turned into ``<Response><Errors>...`` XML in one place.
    ``message`` defaults to AWS's text for the code, ``status`` to AWS's status for it.
    """

    def __init__(self, code: str, message: str | None = None, status: int | None = None) -> None:
        self.code = code
        self.message = message if message is not None else DEFAULT_MESSAGES.get(code, code)
        self.status = status if status is not None else status_for(code)
        super().__init__(f"{code} ({self.status}): {self.message}")


def invalid_value(wire_name: str, value: str, reason: str) -> Ec2Error:
    """``InvalidParameterValue`` in EC2's ``Value (v) for parameter p is invalid. reason`` form."""
    return Ec2Error(
        "InvalidParameterValue", f"Value ({value}) for parameter {wire_name} is invalid. {reason}"
    )


def invalid_enum(location_name: str, value: str) -> Ec2Error:
    """``InvalidParameterValue`` in the ``Invalid value 'v' for x.`` form RegisterImage uses."""
    return Ec2Error("InvalidParameterValue", f"Invalid value '{value}' for {location_name}.")


def missing(name: str) -> Ec2Error:
    """``MissingParameter`` in AWS's ``The request must contain the parameter x`` form."""
    return Ec2Error("MissingParameter", f"The request must contain the parameter {name}")


def combination(message: str) -> Ec2Error:
    """``InvalidParameterCombination`` with ``message``."""
    return Ec2Error("InvalidParameterCombination", message)


def snapshot_not_found(snapshot_id: str) -> Ec2Error:
    """``InvalidSnapshot.NotFound`` for ``snapshot_id`` (AWS quotes the id, with a period)."""
    return Ec2Error("InvalidSnapshot.NotFound", f"The snapshot '{snapshot_id}' does not exist.")


def image_not_found(image_ids: list[str]) -> Ec2Error:
    """``InvalidAMIID.NotFound`` for one or more ids."""
    # AWS's brackets are real and it declined to drop them (reference 4.1).
    return Ec2Error(
        "InvalidAMIID.NotFound", f"The image id '[{', '.join(image_ids)}]' does not exist"
    )
