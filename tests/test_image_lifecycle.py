"""EnableImageDeprecation / DisableImageDeprecation, and IncludeDeprecated in DescribeImages
(issue 14 item 3; reference aws-image-pipeline 6 and 10).

"Now" is the registry clock: each test that depends on it sets ``ec2_registry.clock``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from tests.conftest import register

OTHER = "210987654321"
NOW = datetime(2030, 1, 1, 12, 0, 20, tzinfo=timezone.utc)
V = "2016-11-15"


def error_of(call, *args, **kwargs):
    """``(code, HTTP status, message)`` of the ClientError ``call`` raises."""
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def shown(client, image_id):
    [image] = client.describe_images(ImageIds=[image_id])["Images"]
    return image


@pytest.fixture
def image_id(ec2, ec2_registry):
    ec2_registry.clock = NOW
    return register(ec2)


def enable_raw(raw, image_id, deprecate_at):
    return raw(
        {"Action": "EnableImageDeprecation", "Version": V, "ImageId": image_id}
        | ({} if deprecate_at is None else {"DeprecateAt": deprecate_at})
    )


# --- EnableImageDeprecation: the answer and what it stores -------------------------------------


def test_enable_sets_the_deprecation_time_rounded_to_the_minute(ec2, ec2_registry, image_id):
    answer = ec2.enable_image_deprecation(
        ImageId=image_id, DeprecateAt=datetime(2030, 3, 4, 5, 6, 29, 999999, tzinfo=timezone.utc)
    )
    assert answer["Return"] is True
    assert shown(ec2, image_id)["DeprecationTime"] == "2030-03-04T05:06:00.000Z"
    assert ec2_registry.images[image_id].deprecation_time == "2030-03-04T05:06:00.000Z"
    # botocore sent six fractional digits, as it does for a datetime with microseconds.
    assert ec2_registry.calls[-2].params["DeprecateAt"] == "2030-03-04T05:06:29.999999Z"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "05:06:00"), (29, "05:06:00"), (30, "05:07:00"), (59, "05:07:00")],
)
def test_seconds_round_half_up(ec2, ec2_registry, image_id, seconds, expected):
    ec2.enable_image_deprecation(
        ImageId=image_id, DeprecateAt=datetime(2030, 3, 4, 5, 6, seconds, tzinfo=timezone.utc)
    )
    assert ec2_registry.images[image_id].deprecation_time == f"2030-03-04T{expected}.000Z"


def test_rounding_up_can_cross_into_the_next_year(ec2, ec2_registry, image_id):
    ec2.enable_image_deprecation(
        ImageId=image_id, DeprecateAt=datetime(2030, 12, 31, 23, 59, 45, tzinfo=timezone.utc)
    )
    assert ec2_registry.images[image_id].deprecation_time == "2031-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        # AWS's own sample URL carries the quotes.
        ('"2030-06-15T13:17:00.000Z"', "2030-06-15T13:17:00.000Z"),
        ("2030-06-15T13:17:12.000Z", "2030-06-15T13:17:00.000Z"),  # the AWS CLI example
        ("2030-06-15T13:17:35Z", "2030-06-15T13:18:00.000Z"),  # no fraction
        ("2030-06-15T13:17:29.9Z", "2030-06-15T13:17:00.000Z"),  # one digit
        ("2030-06-15T13:17:29.999999999Z", "2030-06-15T13:17:00.000Z"),  # nine digits
        ("2030-06-15T13:17Z", "2030-06-15T13:17:00.000Z"),  # no seconds
        ("2030-06-15T13:17:00", "2030-06-15T13:17:00.000Z"),  # no zone: UTC
        ("2030-06-15T15:17:00+02:00", "2030-06-15T13:17:00.000Z"),
        ("2030-06-15T08:47:00-0430", "2030-06-15T13:17:00.000Z"),
    ],
)
def test_deprecate_at_forms_boto3_does_not_send(raw, ec2_registry, image_id, wire, expected):
    answer = enable_raw(raw, image_id, wire)
    assert answer.status == 200, answer.body
    assert answer.find("return") == "true"
    assert ec2_registry.images[image_id].deprecation_time == expected


@pytest.mark.parametrize(
    "wire",
    ["tomorrow", "2030-02-30T00:00:00Z", "2030-06-15", "2030-06-15T13:17:00.1234567890Z", '"'],
)
def test_a_deprecate_at_that_is_no_timestamp_is_refused_by_value(raw, ec2_registry, image_id, wire):
    answer = enable_raw(raw, image_id, wire)
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert answer.message == (
        f"Value ({wire}) for parameter DeprecateAt is invalid. "
        "Expected an ISO 8601 date and time, such as 2030-01-02T03:04:00.000Z."
    )
    assert ec2_registry.images[image_id].deprecation_time is None


@pytest.mark.parametrize(
    ("params", "name"),
    [({"DeprecateAt": "2030-06-15T13:17:00Z"}, "ImageId"), ({}, "DeprecateAt")],
)
def test_required_parameters(raw, image_id, params, name):
    base = {"Action": "EnableImageDeprecation", "Version": V}
    if name == "DeprecateAt":
        base["ImageId"] = image_id
    answer = raw(base | params)
    assert (answer.status, answer.code) == (400, "MissingParameter")
    assert answer.message == f"The request must contain the parameter {name}"


# --- EnableImageDeprecation: the limits ---------------------------------------------------------


@pytest.mark.parametrize(
    "wire", ["9999-12-31T23:59:30Z", "9999-12-31T23:30:00-01:00", "0001-01-01T00:00:00+01:00"]
)
def test_dates_at_the_ends_of_the_calendar_are_refused_cleanly(raw, image_id, wire):
    answer = enable_raw(raw, image_id, wire)
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert answer.message.startswith(f"Value ({wire}) for parameter DeprecateAt is invalid.")


def test_a_date_in_the_past_is_refused(ec2, ec2_registry, image_id):
    assert error_of(
        ec2.enable_image_deprecation,
        ImageId=image_id,
        DeprecateAt=datetime(2029, 12, 31, tzinfo=timezone.utc),
    ) == (
        "InvalidParameterValue",
        400,
        "Value (2029-12-31T00:00:00Z) for parameter DeprecateAt is invalid. You can't specify "
        "a date in the past: 2029-12-31T00:00:00.000Z (rounded to the minute) is before the "
        "current time 2030-01-01T12:00:20.000Z.",
    )
    assert ec2_registry.images[image_id].deprecation_time is None


def test_the_past_is_judged_after_rounding(ec2, ec2_registry, image_id):
    # Now is 12:00:20; 12:00:25 rounds down to 12:00:00, which has passed.
    code, status, _ = error_of(
        ec2.enable_image_deprecation, ImageId=image_id, DeprecateAt=NOW + timedelta(seconds=5)
    )
    assert (code, status) == ("InvalidParameterValue", 400)
    # 12:00:40 rounds up to 12:01:00, still ahead.
    ec2.enable_image_deprecation(ImageId=image_id, DeprecateAt=NOW + timedelta(seconds=20))
    assert ec2_registry.images[image_id].deprecation_time == "2030-01-01T12:01:00.000Z"


def test_at_most_ten_years_ahead(ec2, ec2_registry, image_id):
    limit = datetime(2040, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert error_of(
        ec2.enable_image_deprecation, ImageId=image_id, DeprecateAt=limit + timedelta(minutes=1)
    ) == (
        "InvalidParameterValue",
        400,
        "Value (2040-01-01T12:01:00Z) for parameter DeprecateAt is invalid. The deprecation "
        "time can be at most 10 years from now (2040-01-01T12:00:20.000Z).",
    )
    ec2.enable_image_deprecation(ImageId=image_id, DeprecateAt=limit)
    assert ec2_registry.images[image_id].deprecation_time == "2040-01-01T12:00:00.000Z"


@pytest.fixture
def public_id(ec2_registry):
    ec2_registry.clock = NOW
    return ec2_registry.add_image(
        "public-1", launch_permissions=["all"], creation_date="2029-06-01T00:00:00.000Z"
    ).image_id


def test_a_public_image_at_most_two_years_from_its_creation(ec2, ec2_registry, public_id):
    assert error_of(
        ec2.enable_image_deprecation,
        ImageId=public_id,
        DeprecateAt=datetime(2031, 6, 1, 0, 1, tzinfo=timezone.utc),
    ) == (
        "InvalidParameterValue",
        400,
        "Value (2031-06-01T00:01:00Z) for parameter DeprecateAt is invalid. The deprecation "
        "time of a public image can be at most 2 years from its creation date "
        f"(2031-06-01T00:00:00.000Z for {public_id}).",
    )
    ec2.enable_image_deprecation(
        ImageId=public_id, DeprecateAt=datetime(2031, 6, 1, tzinfo=timezone.utc)
    )
    assert ec2_registry.images[public_id].deprecation_time == "2031-06-01T00:00:00.000Z"


def test_a_public_image_deprecation_moves_earlier_never_later(ec2, ec2_registry, public_id):
    ec2.enable_image_deprecation(
        ImageId=public_id, DeprecateAt=datetime(2031, 1, 1, tzinfo=timezone.utc)
    )
    assert error_of(
        ec2.enable_image_deprecation,
        ImageId=public_id,
        DeprecateAt=datetime(2031, 1, 2, tzinfo=timezone.utc),
    ) == (
        "OperationNotPermitted",
        400,
        f"The image {public_id} is public: its deprecation time (2031-01-01T00:00:00.000Z) "
        "can't be moved to a later date. Make the image private first.",
    )
    ec2.enable_image_deprecation(
        ImageId=public_id, DeprecateAt=datetime(2030, 12, 1, tzinfo=timezone.utc)
    )
    assert ec2_registry.images[public_id].deprecation_time == "2030-12-01T00:00:00.000Z"


def test_a_private_image_deprecation_moves_either_way(ec2, ec2_registry, image_id):
    for day in (10, 20, 5):
        ec2.enable_image_deprecation(
            ImageId=image_id, DeprecateAt=datetime(2030, 2, day, tzinfo=timezone.utc)
        )
        assert ec2_registry.images[image_id].deprecation_time == f"2030-02-{day:02d}T00:00:00.000Z"


# --- DisableImageDeprecation --------------------------------------------------------------------


def test_disable_removes_the_deprecation_time(ec2, ec2_registry, image_id):
    ec2.enable_image_deprecation(ImageId=image_id, DeprecateAt=datetime(2030, 2, 1))
    assert ec2.disable_image_deprecation(ImageId=image_id)["Return"] is True
    assert "DeprecationTime" not in shown(ec2, image_id)
    assert ec2_registry.images[image_id].deprecation_time is None
    # Idempotent: nothing to remove is still true.
    assert ec2.disable_image_deprecation(ImageId=image_id)["Return"] is True


def test_disable_on_a_public_image_is_refused(ec2, ec2_registry, public_id):
    ec2.enable_image_deprecation(ImageId=public_id, DeprecateAt=datetime(2031, 1, 1))
    assert error_of(ec2.disable_image_deprecation, ImageId=public_id) == (
        "OperationNotPermitted",
        400,
        f"The image {public_id} is public: its deprecation time (2031-01-01T00:00:00.000Z) "
        "can't be cancelled. Make the image private first.",
    )
    assert ec2_registry.images[public_id].deprecation_time == "2031-01-01T00:00:00.000Z"


def test_disable_on_a_public_image_without_a_time_is_true(ec2, public_id):
    assert ec2.disable_image_deprecation(ImageId=public_id)["Return"] is True


# --- who may, and which images ------------------------------------------------------------------

ACTIONS = [
    ("enable_image_deprecation", {"DeprecateAt": datetime(2030, 2, 1)}),
    ("disable_image_deprecation", {}),
]


@pytest.mark.parametrize(("method", "extra"), ACTIONS)
def test_only_the_owner_may(ec2_registry, method, extra):
    ec2_registry.clock = NOW
    shared = ec2_registry.add_image(
        "theirs", owner_id=OTHER, launch_permissions=[ec2_registry.account_id, "all"]
    ).image_id
    client = ec2_registry.client()
    assert error_of(getattr(client, method), ImageId=shared, **extra) == (
        "AuthFailure",
        400,
        f"Not authorized for image:{shared}",
    )
    assert ec2_registry.images[shared].deprecation_time is None


@pytest.mark.parametrize(("method", "extra"), ACTIONS)
def test_unknown_deregistered_and_malformed_ids(ec2, ec2_registry, raw, method, extra):
    ec2_registry.clock = NOW
    assert error_of(getattr(ec2, method), ImageId="ami-0123456789abcdef0", **extra) == (
        "InvalidAMIID.NotFound",
        400,
        "The image id '[ami-0123456789abcdef0]' does not exist",
    )
    gone = register(ec2)
    ec2.deregister_image(ImageId=gone)
    code, status, _ = error_of(getattr(ec2, method), ImageId=gone, **extra)
    assert (code, status) == ("InvalidAMIID.Unavailable", 400)
    action = "".join(part.title() for part in method.split("_"))
    wire = {"DeprecateAt": "2030-02-01T00:00:00Z"} if extra else {}
    answer = raw({"Action": action, "Version": V, "ImageId": "ami-xyz"} | wire)
    assert (answer.status, answer.code, answer.message) == (
        400,
        "InvalidAMIID.Malformed",
        'Invalid id: "ami-xyz" (expecting "ami-...")',
    )


def test_a_deprecated_image_can_still_be_copied(ec2, ec2_registry, image_id):
    ec2.enable_image_deprecation(ImageId=image_id, DeprecateAt=NOW + timedelta(minutes=5))
    ec2_registry.clock = NOW + timedelta(days=1)
    copy = ec2.copy_image(Name="copy-1", SourceImageId=image_id, SourceRegion="us-east-1")
    # The deprecation time belongs to the source, not to the copy (reference 8).
    assert "DeprecationTime" not in shown(ec2, copy["ImageId"])


# --- IncludeDeprecated --------------------------------------------------------------------------


def names(answer):
    return sorted(i["Name"] for i in answer["Images"])


@pytest.fixture
def deprecated(ec2_registry):
    """Two images of this account and one of another shared with it, all deprecated at
    12:05 (the clock says 12:00:20 until a test moves it)."""
    ec2_registry.clock = NOW
    at = "2030-01-01T12:05:00.000Z"
    mine = ec2_registry.add_image("mine", deprecation_time=at).image_id
    ec2_registry.add_image("mine-public", launch_permissions=["all"], deprecation_time=at)
    theirs = ec2_registry.add_image(
        "theirs", owner_id=OTHER, launch_permissions=[ec2_registry.account_id]
    ).image_id
    ec2_registry.add_image("theirs-old", owner_id=OTHER, launch_permissions=["all"])
    return mine, theirs


def test_nothing_is_deprecated_before_its_time(ec2_registry, deprecated):
    other = ec2_registry.client(account_id=OTHER)
    # The time is set, not passed yet: shown to everyone, with its DeprecationTime.
    assert names(other.describe_images(ExecutableUsers=["all"])) == [
        "mine-public",
        "theirs-old",
    ]
    [public] = other.describe_images(Filters=[{"Name": "name", "Values": ["mine-public"]}])[
        "Images"
    ]
    assert public["DeprecationTime"] == "2030-01-01T12:05:00.000Z"


def test_once_passed_others_need_include_deprecated(ec2_registry, deprecated):
    ec2_registry.clock = NOW + timedelta(minutes=5)  # exactly the time: deprecated
    other = ec2_registry.client(account_id=OTHER)
    assert names(other.describe_images(ExecutableUsers=["all"])) == ["theirs-old"]
    assert names(other.describe_images(ExecutableUsers=["all"], IncludeDeprecated=False)) == [
        "theirs-old"
    ]
    assert names(other.describe_images(ExecutableUsers=["all"], IncludeDeprecated=True)) == [
        "mine-public",
        "theirs-old",
    ]


def test_the_owner_always_sees_its_deprecated_images(ec2, ec2_registry, deprecated):
    ec2_registry.clock = NOW + timedelta(days=1)
    # "you cannot exclude deprecated AMIs that you own ... by using --no-include-deprecated"
    for flag in ({}, {"IncludeDeprecated": False}, {"IncludeDeprecated": True}):
        assert names(ec2.describe_images(Owners=["self"], **flag)) == ["mine", "mine-public"]


def test_a_deprecated_image_named_by_id_is_shown(ec2_registry, deprecated):
    ec2_registry.clock = NOW + timedelta(days=1)
    other = ec2_registry.client(account_id=OTHER)
    public = ec2_registry.assert_registered(name="mine-public").image_id
    # "if you specify --no-include-deprecated together with the AMI ID, the deprecated AMI
    # will be returned" (UG-DEP).
    [image] = other.describe_images(ImageIds=[public], IncludeDeprecated=False)["Images"]
    assert image["DeprecationTime"] == "2030-01-01T12:05:00.000Z"


def test_deprecation_set_over_the_wire_hides_the_image_once_passed(ec2, ec2_registry):
    ec2_registry.clock = NOW
    shared = ec2_registry.add_image("shared-1", launch_permissions=[OTHER]).image_id
    ec2.enable_image_deprecation(ImageId=shared, DeprecateAt=NOW + timedelta(hours=1))
    other = ec2_registry.client(account_id=OTHER)
    assert names(other.describe_images(ExecutableUsers=["self"])) == ["shared-1"]
    ec2_registry.clock = NOW + timedelta(hours=1)
    assert names(other.describe_images(ExecutableUsers=["self"])) == []
    assert names(other.describe_images(ExecutableUsers=["self"], IncludeDeprecated=True)) == [
        "shared-1"
    ]
    ec2.disable_image_deprecation(ImageId=shared)
    assert names(other.describe_images(ExecutableUsers=["self"])) == ["shared-1"]
