"""Enable/DisableImageDeregistrationProtection and what DeregisterImage then does (issue 14
item 4; reference aws-image-pipeline 7). The 24-hour cooldown runs on the registry clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from tests.conftest import register

OTHER = "210987654321"
NOW = datetime(2030, 1, 1, 12, 0, 0, 250000, tzinfo=timezone.utc)
V = "2016-11-15"


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def protection(client, image_id):
    """What DescribeImages and DescribeImageAttribute both say (and check they agree)."""
    [image] = client.describe_images(ImageIds=[image_id], IncludeDisabled=True)["Images"]
    attribute = client.describe_image_attribute(
        ImageId=image_id, Attribute="deregistrationProtection"
    )["DeregistrationProtection"]["Value"]
    assert image["DeregistrationProtection"] == attribute
    return attribute


@pytest.fixture
def image_id(ec2, ec2_registry):
    ec2_registry.clock = NOW
    return register(ec2)


def refused(image_id, reason):
    return (
        "OperationNotPermitted",
        400,
        f"The image {image_id} can't be deregistered {reason}",
    )


ENABLED = (
    "because deregistration protection is enabled ({}). Disable it first with "
    "DisableImageDeregistrationProtection."
)


def test_a_new_image_shows_disabled(ec2, image_id):
    assert protection(ec2, image_id) == "disabled"


def test_enable_without_cooldown_refuses_deregistration(ec2, ec2_registry, image_id):
    answer = ec2.enable_image_deregistration_protection(ImageId=image_id)
    assert answer["Return"] == "enabled-without-cooldown"
    assert protection(ec2, image_id) == "enabled-without-cooldown"
    assert ec2_registry.images[image_id].deregistration_protection == "enabled-without-cooldown"

    assert error_of(ec2.deregister_image, ImageId=image_id) == refused(
        image_id, ENABLED.format("enabled-without-cooldown")
    )
    # The image stays, as it was.
    assert ec2_registry.images[image_id].state == "available"
    assert ec2.describe_images(ImageIds=[image_id])["Images"][0]["State"] == "available"

    assert ec2.disable_image_deregistration_protection(ImageId=image_id)["Return"] == "disabled"
    assert protection(ec2, image_id) == "disabled"
    assert ec2.deregister_image(ImageId=image_id)["Return"] is True
    assert image_id not in ec2_registry.images


def test_the_answer_is_a_string_on_the_wire(raw, image_id):
    answer = raw(
        {
            "Action": "EnableImageDeregistrationProtection",
            "Version": V,
            "ImageId": image_id,
            "WithCooldown": "true",
        }
    )
    assert answer.status == 200
    assert answer.find("return") == "enabled-with-cooldown"


def test_with_cooldown_refuses_for_24_hours_after_disabling(ec2, ec2_registry, image_id):
    answer = ec2.enable_image_deregistration_protection(ImageId=image_id, WithCooldown=True)
    assert answer["Return"] == "enabled-with-cooldown"
    assert error_of(ec2.deregister_image, ImageId=image_id) == refused(
        image_id, ENABLED.format("enabled-with-cooldown")
    )

    until = "2030-01-02T12:00:00.250Z"
    answer = ec2.disable_image_deregistration_protection(ImageId=image_id)
    assert answer["Return"] == f"disabled after {until}"
    assert protection(ec2, image_id) == f"disabled after {until}"
    image = ec2_registry.images[image_id]
    assert (image.deregistration_protection, image.deregistration_cooldown_until) == (
        "disabled",
        until,
    )
    cooling = refused(
        image_id,
        f"until {until}: its deregistration protection was disabled with a 24-hour cooldown.",
    )
    assert error_of(ec2.deregister_image, ImageId=image_id) == cooling
    ec2_registry.clock = NOW + timedelta(hours=23, minutes=59, seconds=59)
    assert error_of(ec2.deregister_image, ImageId=image_id) == cooling
    # Disabling again within the cooldown does not extend it.
    answer = ec2.disable_image_deregistration_protection(ImageId=image_id)
    assert answer["Return"] == f"disabled after {until}"

    ec2_registry.clock = NOW + timedelta(hours=24)
    assert ec2.deregister_image(ImageId=image_id)["Return"] is True
    assert image_id not in ec2_registry.images


def test_after_the_cooldown_disabling_again_clears_it(ec2, ec2_registry, image_id):
    ec2.enable_image_deregistration_protection(ImageId=image_id, WithCooldown=True)
    ec2.disable_image_deregistration_protection(ImageId=image_id)
    ec2_registry.clock = NOW + timedelta(days=2)
    # [INFERRED] The text keeps naming the time until the protection changes again.
    assert protection(ec2, image_id) == "disabled after 2030-01-02T12:00:00.250Z"
    assert ec2.disable_image_deregistration_protection(ImageId=image_id)["Return"] == "disabled"
    assert protection(ec2, image_id) == "disabled"
    assert ec2_registry.images[image_id].deregistration_cooldown_until is None


def test_enabling_again_cannot_skip_a_running_cooldown(ec2, ec2_registry, image_id):
    # The cooldown is there so that a protected image cannot be deregistered at once:
    # enabling without a cooldown and disabling again must not be a way round it.
    ec2.enable_image_deregistration_protection(ImageId=image_id, WithCooldown=True)
    until = ec2.disable_image_deregistration_protection(ImageId=image_id)["Return"]
    assert until.startswith("disabled after ")
    answer = ec2.enable_image_deregistration_protection(ImageId=image_id, WithCooldown=False)
    assert answer["Return"] == "enabled-without-cooldown"
    assert ec2.disable_image_deregistration_protection(ImageId=image_id)["Return"] == until
    assert error_of(ec2.deregister_image, ImageId=image_id)[0] == "OperationNotPermitted"
    ec2_registry.clock = NOW + timedelta(hours=24)
    assert ec2.disable_image_deregistration_protection(ImageId=image_id)["Return"] == "disabled"
    assert ec2.deregister_image(ImageId=image_id)["Return"] is True


def test_enable_twice_overwrites_the_cooldown_flag(ec2, image_id):
    ec2.enable_image_deregistration_protection(ImageId=image_id)
    answer = ec2.enable_image_deregistration_protection(ImageId=image_id, WithCooldown=True)
    assert answer["Return"] == "enabled-with-cooldown"
    assert protection(ec2, image_id) == "enabled-with-cooldown"


def test_disable_on_an_unprotected_image_is_disabled(ec2, image_id):
    assert ec2.disable_image_deregistration_protection(ImageId=image_id)["Return"] == "disabled"
    assert ec2.deregister_image(ImageId=image_id)["Return"] is True


def test_with_cooldown_must_be_a_boolean(raw, ec2_registry, image_id):
    answer = raw(
        {
            "Action": "EnableImageDeregistrationProtection",
            "Version": V,
            "ImageId": image_id,
            "WithCooldown": "sometimes",
        }
    )
    assert (answer.status, answer.code, answer.message) == (
        400,
        "InvalidParameterValue",
        "Value (sometimes) for parameter WithCooldown is invalid. Expected: 'true' or 'false'.",
    )
    assert ec2_registry.images[image_id].deregistration_protection == "disabled"


@pytest.mark.parametrize(
    "action", ["EnableImageDeregistrationProtection", "DisableImageDeregistrationProtection"]
)
def test_image_id_is_required_and_checked(raw, action):
    answer = raw({"Action": action, "Version": V})
    assert (answer.status, answer.code, answer.message) == (
        400,
        "MissingParameter",
        "The request must contain the parameter ImageId",
    )
    answer = raw({"Action": action, "Version": V, "ImageId": "ami-nope"})
    assert (answer.status, answer.code) == (400, "InvalidAMIID.Malformed")


@pytest.mark.parametrize(
    "method",
    ["enable_image_deregistration_protection", "disable_image_deregistration_protection"],
)
def test_only_the_owner_may(ec2_registry, method):
    shared = ec2_registry.add_image(
        "theirs",
        owner_id=OTHER,
        launch_permissions=["all"],
        deregistration_protection="enabled-with-cooldown",
    ).image_id
    assert error_of(getattr(ec2_registry.client(), method), ImageId=shared) == (
        "AuthFailure",
        400,
        f"Not authorized for image:{shared}",
    )
    assert ec2_registry.images[shared].deregistration_protection == "enabled-with-cooldown"


@pytest.mark.parametrize(
    "method",
    ["enable_image_deregistration_protection", "disable_image_deregistration_protection"],
)
def test_unknown_and_deregistered_ids(ec2, image_id, method):
    code, status, _ = error_of(getattr(ec2, method), ImageId="ami-0123456789abcdef0")
    assert (code, status) == ("InvalidAMIID.NotFound", 400)
    ec2.deregister_image(ImageId=image_id)
    code, status, _ = error_of(getattr(ec2, method), ImageId=image_id)
    assert (code, status) == ("InvalidAMIID.Unavailable", 400)


def test_only_the_owner_sees_the_protection_in_describe_images(ec2, ec2_registry, image_id):
    ec2_registry.add_image("public-1", launch_permissions=["all"])
    ec2.enable_image_deregistration_protection(ImageId=image_id)
    other = ec2_registry.client(account_id=OTHER)
    [image] = other.describe_images(Filters=[{"Name": "name", "Values": ["public-1"]}])["Images"]
    assert "DeregistrationProtection" not in image
    [mine] = ec2.describe_images(Filters=[{"Name": "name", "Values": ["public-1"]}])["Images"]
    assert mine["DeregistrationProtection"] == "disabled"


def test_a_preloaded_protection_refuses_deregistration(ec2, ec2_registry):
    image_id = ec2_registry.add_image(
        "kept", deregistration_protection="enabled-without-cooldown"
    ).image_id
    code, status, _ = error_of(ec2.deregister_image, ImageId=image_id)
    assert (code, status) == ("OperationNotPermitted", 400)
    assert image_id in ec2_registry.images


def test_a_protected_disabled_image_is_refused_too(ec2, ec2_registry, image_id):
    ec2.enable_image_deregistration_protection(ImageId=image_id)
    ec2.disable_image(ImageId=image_id)
    code, _, _ = error_of(ec2.deregister_image, ImageId=image_id)
    assert code == "OperationNotPermitted"
    assert protection(ec2, image_id) == "enabled-without-cooldown"


def test_a_copy_starts_unprotected(ec2, ec2_registry, image_id):
    ec2.enable_image_deregistration_protection(ImageId=image_id, WithCooldown=True)
    copy = ec2.copy_image(Name="copy-1", SourceImageId=image_id, SourceRegion="us-east-1")
    assert protection(ec2, copy["ImageId"]) == "disabled"
    assert ec2.deregister_image(ImageId=copy["ImageId"])["Return"] is True


def test_deregister_dry_run_of_a_protected_image_is_412_like_any_other(ec2, image_id):
    # DryRun comes after the syntax checks and before the state is read (CONTRIBUTING).
    ec2.enable_image_deregistration_protection(ImageId=image_id)
    code, status, _ = error_of(ec2.deregister_image, ImageId=image_id, DryRun=True)
    assert (code, status) == ("DryRunOperation", 412)
