"""ModifyImageAttribute and ResetImageAttribute (issue 14, item 1): sharing with accounts,
everyone, organizations and OUs in both wire forms, description, imdsSupport, and what the
change does everywhere else (DescribeImageAttribute, DescribeImages, another account)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import SNAP, register

OTHER = "210987654321"
THIRD = "111122223333"
ORG = "arn:aws:organizations::123456789012:organization/o-abcde12345"
OU = "arn:aws:organizations::123456789012:ou/o-abcde12345/ou-ab12-cdef5678"
NEVER = "ami-0123456789abcdef0"


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def permissions(ec2, image_id):
    return ec2.describe_image_attribute(ImageId=image_id, Attribute="launchPermission")[
        "LaunchPermissions"
    ]


def share(ec2, image_id, *, add=(), remove=()):
    launch = {}
    if add:
        launch["Add"] = list(add)
    if remove:
        launch["Remove"] = list(remove)
    return ec2.modify_image_attribute(ImageId=image_id, LaunchPermission=launch)


def share_storage(ec2, snapshot_id):
    """What packer's ``snapshot_users`` does: the image's snapshot shared with OTHER."""
    ec2.modify_snapshot_attribute(
        SnapshotId=snapshot_id,
        Attribute="createVolumePermission",
        OperationType="add",
        UserIds=[OTHER],
    )


def modify(raw, image_id, **params):
    return raw(
        {"Action": "ModifyImageAttribute", "Version": "2016-11-15", "ImageId": image_id, **params}
    )


@pytest.fixture
def image_id(ec2):
    return register(ec2, "shared-1")


@pytest.fixture
def other(ec2_registry):
    return ec2_registry.client(account_id=OTHER)


# --- launch permissions through boto3 ----------------------------------------------------------


def test_sharing_with_an_account_lets_it_see_and_copy_the_image(ec2, ec2_registry, other, image_id):
    assert other.describe_images(ImageIds=[image_id])["Images"] == []

    answer = share(ec2, image_id, add=[{"UserId": OTHER}])

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert permissions(ec2, image_id) == [{"UserId": OTHER}]
    assert ec2_registry.images[image_id].launch_permissions == (OTHER,)
    assert ec2_registry.images[image_id].public is False
    [seen] = other.describe_images(ImageIds=[image_id])["Images"]
    assert (seen["OwnerId"], seen["Public"]) == (ec2_registry.account_id, False)
    assert [i["ImageId"] for i in other.describe_images(ExecutableUsers=["self"])["Images"]] == [
        image_id
    ]
    share_storage(ec2, SNAP)  # copying also needs the snapshot
    copy_id = other.copy_image(Name="copy-1", SourceImageId=image_id, SourceRegion="us-east-1")[
        "ImageId"
    ]
    assert ec2_registry.images[copy_id].owner_id == OTHER


def test_unsharing_takes_the_access_away(ec2, other, image_id):
    share(ec2, image_id, add=[{"UserId": OTHER}])
    share(ec2, image_id, remove=[{"UserId": OTHER}])

    assert permissions(ec2, image_id) == []
    assert other.describe_images(ImageIds=[image_id])["Images"] == []
    assert error_of(
        other.copy_image, Name="copy-1", SourceImageId=image_id, SourceRegion="us-east-1"
    ) == ("InvalidAMIID.NotFound", f"The image id '[{image_id}]' does not exist", 400)


def test_making_an_image_public(ec2, ec2_registry, other, image_id):
    share(ec2, image_id, add=[{"Group": "all"}])

    assert permissions(ec2, image_id) == [{"Group": "all"}]
    assert ec2_registry.images[image_id].public is True
    [mine] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert mine["Public"] is True
    public = ec2.describe_images(Filters=[{"Name": "is-public", "Values": ["true"]}])["Images"]
    assert [i["ImageId"] for i in public] == [image_id]
    assert ec2.describe_images(Filters=[{"Name": "is-public", "Values": ["false"]}])["Images"] == []
    # Another account sees it with no Owner or ExecutableBy, and through ExecutableBy=all.
    assert [i["ImageId"] for i in other.describe_images()["Images"]] == [image_id]
    assert [i["ImageId"] for i in other.describe_images(ExecutableUsers=["all"])["Images"]] == [
        image_id
    ]
    # Public through "all" is not an explicit permission for the other account.
    assert other.describe_images(ExecutableUsers=["self"])["Images"] == []


def test_a_public_image_is_deprecated_two_years_after_creation(ec2_registry, ec2):
    image = ec2_registry.add_image("pub-1", creation_date="2026-02-03T04:05:06.789Z")
    share(ec2, image.image_id, add=[{"Group": "all"}])
    # Rounded to the minute, as EnableImageDeprecation rounds (06.789 s rounds down).
    assert ec2_registry.images[image.image_id].deprecation_time == "2028-02-03T04:05:00.000Z"
    [seen] = ec2.describe_images(ImageIds=[image.image_id])["Images"]
    assert seen["DeprecationTime"] == "2028-02-03T04:05:00.000Z"


@pytest.mark.parametrize(
    ("created", "existing", "expected"),
    [
        ("2026-02-28T00:00:00.000Z", "2027-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"),
        ("2026-02-28T00:00:00.000Z", "2031-01-01T00:00:00.000Z", "2028-02-28T00:00:00.000Z"),
        ("2028-02-29T12:00:00.000Z", None, "2030-02-28T12:00:00.000Z"),
    ],
    ids=["sooner-kept", "later-capped", "leap-day"],
)
def test_a_public_deprecation_is_the_sooner_of_the_two(
    ec2_registry, ec2, created, existing, expected
):
    image = ec2_registry.add_image("pub-1", creation_date=created, deprecation_time=existing)
    share(ec2, image.image_id, add=[{"Group": "all"}])
    assert ec2_registry.images[image.image_id].deprecation_time == expected
    # Only becoming public sets it: sharing with an account changes no date.
    other_image = ec2_registry.add_image("acct-1", creation_date=created)
    share(ec2, other_image.image_id, add=[{"UserId": OTHER}])
    assert ec2_registry.images[other_image.image_id].deprecation_time is None


def test_sharing_with_an_organization_and_an_ou_is_recorded_and_grants_no_account(
    ec2, ec2_registry, other, image_id
):
    share(ec2, image_id, add=[{"OrganizationArn": ORG}, {"OrganizationalUnitArn": OU}])

    assert permissions(ec2, image_id) == [{"OrganizationArn": ORG}, {"OrganizationalUnitArn": OU}]
    image = ec2_registry.images[image_id]
    assert (image.organization_arns, image.organizational_unit_arns) == ((ORG,), (OU,))
    assert other.describe_images(ImageIds=[image_id])["Images"] == []

    share(ec2, image_id, remove=[{"OrganizationArn": ORG}, {"OrganizationalUnitArn": OU}])
    assert permissions(ec2, image_id) == []


def test_add_of_a_held_entry_and_remove_of_an_absent_one_change_nothing(
    ec2, ec2_registry, image_id
):
    share(ec2, image_id, add=[{"UserId": OTHER}, {"Group": "all"}])
    before = ec2_registry.images[image_id]
    share(ec2, image_id, add=[{"UserId": OTHER}, {"Group": "all"}])
    share(ec2, image_id, remove=[{"UserId": THIRD}, {"OrganizationArn": ORG}])
    assert ec2_registry.images[image_id] == before
    assert permissions(ec2, image_id) == [{"Group": "all"}, {"UserId": OTHER}]


def test_add_and_remove_in_one_request(ec2, ec2_registry, image_id):
    share(ec2, image_id, add=[{"UserId": OTHER}])
    share(ec2, image_id, add=[{"UserId": THIRD}], remove=[{"UserId": OTHER}])
    assert ec2_registry.images[image_id].launch_permissions == (THIRD,)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"UserId": " "}, 'Invalid attribute item value " " for userId item type.'),
        (
            {"UserId": "12345678901"},
            'Invalid attribute item value "12345678901" for userId item type.',
        ),
        ({"Group": "everyone"}, 'Invalid attribute item value "everyone" for group item type.'),
        (
            {"OrganizationArn": "arn:aws:organizations::1:organization/o-x"},
            'Invalid attribute item value "arn:aws:organizations::1:organization/o-x" for '
            "organizationArn item type.",
        ),
        (
            {"OrganizationalUnitArn": ORG},
            f'Invalid attribute item value "{ORG}" for organizationalUnitArn item type.',
        ),
    ],
    ids=["blank-user", "short-user", "group", "org", "ou"],
)
def test_a_bad_item_is_refused_naming_it_and_nothing_changes(
    ec2, ec2_registry, image_id, entry, message
):
    before = ec2_registry.images[image_id]
    assert error_of(share, ec2, image_id, add=[{"UserId": OTHER}, entry]) == (
        "InvalidAMIAttributeItemValue",
        message,
        400,
    )
    assert ec2_registry.images[image_id] == before


def test_only_the_owner_may_share(ec2, ec2_registry, other, image_id):
    share(ec2, image_id, add=[{"UserId": OTHER}])
    before = ec2_registry.images[image_id]
    for call in (
        lambda: share(other, image_id, add=[{"Group": "all"}]),
        lambda: other.reset_image_attribute(ImageId=image_id, Attribute="launchPermission"),
        lambda: other.modify_image_attribute(ImageId=image_id, Description={"Value": "mine"}),
    ):
        assert error_of(call) == ("AuthFailure", f"Not authorized for image:{image_id}", 400)
    assert ec2_registry.images[image_id] == before


def test_a_disabled_image_refuses_add_and_allows_remove(ec2_registry, ec2):
    image = ec2_registry.add_image("off-1", state="disabled")
    assert error_of(share, ec2, image.image_id, add=[{"UserId": OTHER}]) == (
        "InvalidAMIID.Unavailable",
        "The specified AMI has been deregistered and is no longer available, or is not in a "
        "state from which you can launch an instance or modify attributes.",
        400,
    )
    share(ec2, image.image_id, remove=[{"UserId": OTHER}])
    assert ec2_registry.images[image.image_id] == image


def test_an_encrypted_snapshot_cannot_be_shared_publicly(ec2_registry, ec2):
    ec2_registry.add_snapshot("snap-0123456789abcdef9", encrypted=True)
    image_id = register(ec2, "enc-1", snapshot="snap-0123456789abcdef9")
    before = ec2_registry.images[image_id]
    assert error_of(share, ec2, image_id, add=[{"UserId": OTHER}, {"Group": "all"}]) == (
        "UnsupportedOperation",
        "Encrypted snapshots can\u2019t be shared publicly. Specify another snapshot.",
        400,
    )
    assert ec2_registry.images[image_id] == before
    share(ec2, image_id, add=[{"UserId": OTHER}])  # with an account it may be shared
    assert ec2_registry.images[image_id].launch_permissions == (OTHER,)


def test_an_encrypted_mapping_cannot_be_shared_publicly(ec2):
    image_id = ec2.register_image(
        Name="enc-2",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}},
            {"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 8, "Encrypted": True}},
        ],
    )["ImageId"]
    assert error_of(share, ec2, image_id, add=[{"Group": "all"}])[0] == "UnsupportedOperation"


def test_unknown_and_deregistered_images(ec2, image_id):
    assert error_of(share, ec2, NEVER, add=[{"UserId": OTHER}]) == (
        "InvalidAMIID.NotFound",
        f"The image id '[{NEVER}]' does not exist",
        400,
    )
    ec2.deregister_image(ImageId=image_id)
    assert error_of(share, ec2, image_id, add=[{"UserId": OTHER}])[0] == "InvalidAMIID.Unavailable"
    assert error_of(share, ec2, "ami-123", add=[{"UserId": OTHER}]) == (
        "InvalidAMIID.Malformed",
        'Invalid id: "ami-123" (expecting "ami-...")',
        400,
    )


def test_two_attributes_in_one_request_are_refused(ec2, image_id):
    code, message, status = error_of(
        ec2.modify_image_attribute,
        ImageId=image_id,
        LaunchPermission={"Add": [{"UserId": OTHER}]},
        Description={"Value": "x"},
    )
    assert (code, status) == ("InvalidParameterCombination", 400)
    assert message.startswith("LaunchPermission and Description name 2 attributes")


# --- description, imdsSupport, productCodes ----------------------------------------------------


def test_description(ec2, ec2_registry, image_id):
    ec2.modify_image_attribute(ImageId=image_id, Description={"Value": "release 7"})
    assert ec2.describe_image_attribute(ImageId=image_id, Attribute="description")[
        "Description"
    ] == {"Value": "release 7"}
    assert ec2.describe_images(ImageIds=[image_id])["Images"][0]["Description"] == "release 7"
    assert ec2_registry.images[image_id].description == "release 7"
    # [INFERRED] an empty value clears it.
    ec2.modify_image_attribute(ImageId=image_id, Description={"Value": ""})
    assert ec2_registry.images[image_id].description is None
    assert (
        ec2.describe_image_attribute(ImageId=image_id, Attribute="description")["Description"] == {}
    )


def test_a_long_description_is_refused(ec2, image_id):
    assert error_of(
        ec2.modify_image_attribute, ImageId=image_id, Description={"Value": "d" * 256}
    ) == (
        "InvalidParameterValue",
        f"Value ({'d' * 256}) for parameter description is invalid. It exceeds 255 characters",
        400,
    )


def test_imds_support_v2(ec2, ec2_registry, image_id):
    ec2.modify_image_attribute(ImageId=image_id, ImdsSupport={"Value": "v2.0"})
    assert ec2_registry.images[image_id].imds_support == "v2.0"
    assert ec2.describe_image_attribute(ImageId=image_id, Attribute="imdsSupport")[
        "ImdsSupport"
    ] == {"Value": "v2.0"}
    assert ec2.describe_images(ImageIds=[image_id])["Images"][0]["ImdsSupport"] == "v2.0"
    ec2.modify_image_attribute(ImageId=image_id, ImdsSupport={"Value": "v2.0"})  # again: fine


@pytest.mark.parametrize("value", ["v1.0", "", "V2.0"])
def test_imds_support_takes_only_v2(ec2, ec2_registry, image_id, value):
    assert error_of(ec2.modify_image_attribute, ImageId=image_id, ImdsSupport={"Value": value}) == (
        "InvalidParameterValue",
        f"Value ({value}) for parameter imdsSupport is invalid. The only valid value is v2.0, "
        "and once set it can't be undone.",
        400,
    )
    assert ec2_registry.images[image_id].imds_support is None


def test_product_codes_are_not_supported(ec2, image_id):
    assert error_of(
        ec2.modify_image_attribute,
        ImageId=image_id,
        Attribute="productCodes",
        ProductCodes=["774F4FF8"],
    ) == (
        "UnsupportedOperation",
        "Adding product codes to an AMI is not supported (ProductCode.N, Attribute=productCodes).",
        400,
    )


# --- ResetImageAttribute -----------------------------------------------------------------------


def test_reset_makes_the_image_private(ec2, ec2_registry, other, image_id):
    share(
        ec2,
        image_id,
        add=[
            {"UserId": OTHER},
            {"Group": "all"},
            {"OrganizationArn": ORG},
            {"OrganizationalUnitArn": OU},
        ],
    )
    answer = ec2.reset_image_attribute(ImageId=image_id, Attribute="launchPermission")

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert permissions(ec2, image_id) == []
    image = ec2_registry.images[image_id]
    assert (image.public, image.launch_permissions) == (False, ())
    assert (image.organization_arns, image.organizational_unit_arns) == ((), ())
    assert other.describe_images(ImageIds=[image_id])["Images"] == []
    assert ec2.describe_images(ImageIds=[image_id])["Images"][0]["Public"] is False


@pytest.mark.parametrize("attribute", ["description", "kernel", "LaunchPermission"])
def test_reset_knows_only_launch_permission(ec2, image_id, attribute):
    assert error_of(ec2.reset_image_attribute, ImageId=image_id, Attribute=attribute) == (
        "InvalidParameterValue",
        f"Value ({attribute}) for parameter attribute is invalid. "
        "Only the launchPermission attribute can be reset.",
        400,
    )


# --- the wire forms boto3 does not send --------------------------------------------------------


def test_the_flat_form_adds_and_removes(raw, ec2_registry, image_id):
    answer = modify(
        raw,
        image_id,
        Attribute="launchPermission",
        OperationType="add",
        **{"UserId.1": OTHER, "UserGroup.1": "all", "OrganizationArn.1": ORG},
    )
    assert answer.status == 200
    assert answer.find("return") == "true"
    image = ec2_registry.images[image_id]
    assert (image.launch_permissions, image.public, image.organization_arns) == (
        (OTHER,),
        True,
        (ORG,),
    )

    answer = modify(
        raw,
        image_id,
        Attribute="launchPermission",
        OperationType="remove",
        **{"UserGroup.1": "all", "OrganizationalUnitArn.1": OU},
    )
    assert answer.status == 200
    assert ec2_registry.images[image_id].public is False


@pytest.mark.parametrize(
    ("member", "value", "item_type"),
    [
        ("UserGroup.1", "all ", "UserGroup"),  # packer#1068: the value as sent, space included
        ("UserId.1", "2109-8765-4321", "UserId"),
        ("OrganizationArn.1", "arn:o", "OrganizationArn"),
        ("OrganizationalUnitArn.1", "arn:ou", "OrganizationalUnitArn"),
    ],
)
def test_the_flat_form_names_the_bad_item_as_the_flat_form(raw, image_id, member, value, item_type):
    answer = modify(
        raw, image_id, Attribute="launchPermission", OperationType="add", **{member: value}
    )
    assert (answer.status, answer.code) == (400, "InvalidAMIAttributeItemValue")
    assert answer.message == f'Invalid attribute item value "{value}" for {item_type} item type.'


def test_flat_lists_without_attribute_miss_launch_permission(raw, ec2_registry, image_id):
    answer = modify(raw, image_id, **{"UserId.1": OTHER})
    assert (answer.status, answer.code, answer.message) == (
        400,
        "MissingParameter",
        "The request must contain the parameter LaunchPermission",
    )
    assert ec2_registry.images[image_id].launch_permissions == ()


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({}, "MissingParameter", "The request must contain the parameter Attribute"),
        (
            {"Attribute": "launchPermission", "UserId.1": OTHER},
            "MissingParameter",
            "The request must contain the parameter OperationType",
        ),
        (
            {"Attribute": "launchPermission", "OperationType": "grant", "UserId.1": OTHER},
            "InvalidParameterValue",
            "Invalid value 'grant' for operationType.",
        ),
        (
            {"Attribute": "launchPermission", "OperationType": "add"},
            "MissingParameter",
            "The request must contain the parameter "
            "UserId, UserGroup, OrganizationArn or OrganizationalUnitArn",
        ),
        (
            {"Attribute": "description"},
            "MissingParameter",
            "The request must contain the parameter Value",
        ),
        (
            {"Attribute": "kernel", "Value": "aki-12345678"},
            "InvalidParameterValue",
            "Value (kernel) for parameter attribute is invalid. Unknown attribute.",
        ),
        (
            {"Attribute": "Description", "Value": "x"},
            "InvalidParameterValue",
            "Value (Description) for parameter attribute is invalid. Unknown attribute.",
        ),
        (
            {"Attribute": "description", "Value": "x", "OperationType": "add"},
            "InvalidParameterCombination",
            "OperationType, UserId, UserGroup, OrganizationArn and OrganizationalUnitArn can be "
            "used only when the Attribute parameter is launchPermission",
        ),
        (
            {"Attribute": "launchPermission", "OperationType": "add", "Value": "x"},
            "InvalidParameterCombination",
            "Value can be used only when the Attribute parameter is description or imdsSupport",
        ),
        (
            {"Attribute": "description", "LaunchPermission.Add.1.UserId": OTHER},
            "InvalidParameterCombination",
            "Attribute=description and LaunchPermission name two attributes: you can specify "
            "only one attribute at a time",
        ),
        (
            {"ProductCode.1": "774F4FF8"},
            "UnsupportedOperation",
            "Adding product codes to an AMI is not supported "
            "(ProductCode.N, Attribute=productCodes).",
        ),
    ],
    ids=[
        "nothing",
        "no-operation",
        "bad-operation",
        "no-items",
        "no-value",
        "unknown",
        "capitalised-flat",
        "flat-op-on-description",
        "value-on-launch",
        "attribute-vs-struct",
        "product-code-alone",
    ],
)
def test_which_attribute_a_request_changes(raw, ec2_registry, image_id, params, code, message):
    before = ec2_registry.images[image_id]
    answer = modify(raw, image_id, **params)
    assert (answer.status, answer.code, answer.message) == (400, code, message)
    assert ec2_registry.images[image_id] == before


def test_the_flat_description_form(raw, ec2_registry, image_id):
    answer = modify(raw, image_id, Attribute="description", Value="new desc")
    assert answer.status == 200
    assert ec2_registry.images[image_id].description == "new desc"
    assert modify(raw, image_id, Attribute="imdsSupport", Value="v2.0").status == 200
    assert ec2_registry.images[image_id].imds_support == "v2.0"


def test_what_packer_sends_both_forms_at_once(raw, ec2_registry, image_id):
    answer = modify(
        raw,
        image_id,
        **{
            "UserId.1": OTHER,
            "LaunchPermission.Add.1.UserId": OTHER,
            "UserGroup.1": "all",
            "LaunchPermission.Add.2.Group": "all",
        },
    )
    assert answer.status == 200
    image = ec2_registry.images[image_id]
    assert (image.launch_permissions, image.public) == ((OTHER,), True)


def test_what_ansible_sends_a_capitalised_attribute_beside_the_struct(raw, ec2_registry, image_id):
    answer = modify(
        raw,
        image_id,
        **{
            "Attribute": "LaunchPermission",
            "LaunchPermission.Add.1.UserId": THIRD,
            "LaunchPermission.Remove.1.UserId": OTHER,
        },
    )
    assert answer.status == 200
    assert ec2_registry.images[image_id].launch_permissions == (THIRD,)
    answer = modify(
        raw, image_id, **{"Attribute": "Description", "Description.Value": "by ansible"}
    )
    assert answer.status == 200
    assert ec2_registry.images[image_id].description == "by ansible"


def test_lists_numbered_from_zero_with_gaps(raw, ec2_registry, image_id):
    answer = modify(
        raw,
        image_id,
        **{"LaunchPermission.Add.7.UserId": THIRD, "LaunchPermission.Add.0.UserId": OTHER},
    )
    assert answer.status == 200
    assert ec2_registry.images[image_id].launch_permissions == (OTHER, THIRD)


def test_the_2009_api_knows_the_flat_form_only(raw, ec2_registry, image_id):
    flat = {"Attribute": "launchPermission", "OperationType": "add", "UserGroup.1": "all"}
    answer = modify(raw, image_id, **flat, Version="2009-10-31")
    assert answer.status == 200
    assert ec2_registry.images[image_id].public is True
    answer = modify(raw, image_id, Version="2009-10-31", **{"LaunchPermission.Add.1.UserId": OTHER})
    assert (answer.status, answer.code) == (400, "UnknownParameter")
    answer = raw(
        {
            "Action": "ResetImageAttribute",
            "Version": "2009-10-31",
            "ImageId": image_id,
            "Attribute": "launchPermission",
        }
    )
    assert answer.status == 200
    assert ec2_registry.images[image_id].public is False


def test_reset_without_attribute(raw, image_id):
    answer = raw({"Action": "ResetImageAttribute", "Version": "2016-11-15", "ImageId": image_id})
    assert (answer.status, answer.code, answer.message) == (
        400,
        "MissingParameter",
        "The request must contain the parameter attribute",
    )


# --- two accounts over HTTP, signatures verified or not ----------------------------------------


def _share_then_use(ec2_registry):
    owner = ec2_registry.client()
    ec2_registry.add_credentials("AKIASHARINGOTHER0001", "other-secret", account_id=OTHER)
    other = ec2_registry.client(
        aws_access_key_id="AKIASHARINGOTHER0001", aws_secret_access_key="other-secret"
    )
    image_id = register(owner, "cross-1")
    # Unshared: invisible to the other account, and not copyable.
    assert other.describe_images(ImageIds=[image_id])["Images"] == []
    assert error_of(
        other.copy_image, Name="theirs-1", SourceImageId=image_id, SourceRegion="us-east-1"
    )[0] == ("InvalidAMIID.NotFound")
    # Shared: seen, executable by self, copied into the other account.
    share(owner, image_id, add=[{"UserId": OTHER}])
    [seen] = other.describe_images(Owners=[ec2_registry.account_id])["Images"]
    assert seen["ImageId"] == image_id
    # Seen and launchable, but its storage is not shared yet: not copyable.
    assert error_of(
        other.copy_image, Name="theirs-1", SourceImageId=image_id, SourceRegion="us-east-1"
    )[0] == ("InvalidRequest")
    share_storage(owner, SNAP)
    copy_id = other.copy_image(Name="theirs-1", SourceImageId=image_id, SourceRegion="us-east-1")[
        "ImageId"
    ]
    assert ec2_registry.images[copy_id].owner_id == OTHER
    assert [i["ImageId"] for i in other.describe_images(Owners=["self"])["Images"]] == [copy_id]
    # The sharer's attributes stay its own to read and change.
    assert error_of(
        other.describe_image_attribute, ImageId=image_id, Attribute="launchPermission"
    ) == ("AuthFailure", f"Not authorized for image:{image_id}", 400)
    # Unshared again: refused again.
    owner.reset_image_attribute(ImageId=image_id, Attribute="launchPermission")
    assert other.describe_images(ImageIds=[image_id])["Images"] == []
    assert error_of(
        other.copy_image, Name="theirs-2", SourceImageId=image_id, SourceRegion="us-east-1"
    )[0] == ("InvalidAMIID.NotFound")


def test_cross_account_sharing_without_signature_verification(ec2_registry):
    assert ec2_registry.verify_signatures is False
    _share_then_use(ec2_registry)


@pytest.mark.ec2_registry(verify_signatures=True)
def test_cross_account_sharing_with_signature_verification(ec2_registry):
    assert ec2_registry.verify_signatures is True
    _share_then_use(ec2_registry)
    assert {c.auth for c in ec2_registry.calls} == {"sigv4"}
    assert all(
        c.ok or c.error_code in ("InvalidAMIID.NotFound", "AuthFailure", "InvalidRequest")
        for c in ec2_registry.calls
    )


@pytest.mark.ec2_registry(verify_signatures=True)
def test_a_wrong_secret_cannot_share(ec2_registry, image_id):
    forged = ec2_registry.client(aws_secret_access_key="not-the-secret")
    assert error_of(share, forged, image_id, add=[{"Group": "all"}])[0] == "SignatureDoesNotMatch"
    assert ec2_registry.images[image_id].public is False


def test_client_account_id_shortcut(ec2_registry, ec2, image_id):
    other = ec2_registry.client(account_id=THIRD)
    share(ec2, image_id, add=[{"UserId": THIRD}])
    assert [i["ImageId"] for i in other.describe_images(ExecutableUsers=["self"])["Images"]] == [
        image_id
    ]
    # Owned images count for ExecutableBy=self too (owned or explicitly shared).
    assert [i["ImageId"] for i in ec2.describe_images(ExecutableUsers=["self"])["Images"]] == [
        image_id
    ]


def test_the_readme_example(ec2_registry):
    image = ec2_registry.add_image("web-1")
    ec2_registry.client().modify_image_attribute(
        ImageId=image.image_id, LaunchPermission={"Add": [{"UserId": "210987654321"}]}
    )
    other = ec2_registry.client(account_id="210987654321")
    assert other.describe_images(ImageIds=[image.image_id])["Images"]


def test_public_deprecation_reads_a_preloaded_date_in_any_iso_form(ec2_registry, ec2):
    # A preload may write its date with an offset; making the image public must not fail on it.
    image = ec2_registry.add_image("pub-2", creation_date="2026-02-03T04:05:31+02:00")
    share(ec2, image.image_id, add=[{"Group": "all"}])
    assert ec2_registry.images[image.image_id].deprecation_time == "2028-02-03T02:06:00.000Z"
    assert ec2_registry.calls[-1].status == 200


@pytest.mark.parametrize(
    "extra",
    [
        {"UserId.1": "111111111111", "LaunchPermission.Add.1.UserId": OTHER},
        {
            "OperationType": "remove",
            "UserId.1": OTHER,
            "LaunchPermission.Add.1.UserId": "333333333333",
        },
    ],
    ids=["different-accounts", "remove-beside-add"],
)
def test_flat_lists_that_contradict_the_struct_are_refused(raw, ec2_registry, image_id, extra):
    answer = modify(raw, image_id, **extra)
    assert (answer.status, answer.code) == (400, "InvalidParameterCombination")
    assert "name different permissions" in answer.message
    assert ec2_registry.images[image_id].launch_permissions == ()


def test_flat_lists_in_another_order_than_the_struct_are_the_same_share(
    raw, ec2_registry, image_id
):
    answer = modify(
        raw,
        image_id,
        **{
            "UserId.1": "333333333333",
            "UserId.2": OTHER,
            "LaunchPermission.Add.1.UserId": OTHER,
            "LaunchPermission.Add.2.UserId": "333333333333",
        },
    )
    assert answer.status == 200
    assert set(ec2_registry.images[image_id].launch_permissions) == {OTHER, "333333333333"}
