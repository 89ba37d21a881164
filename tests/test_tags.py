"""CreateTags, DeleteTags and DescribeTags on images and snapshots."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest
from botocore.exceptions import ClientError

from tests.conftest import SNAP, SNAP2


def error_of(raised):
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def tags_of(ec2, image_id):
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    return {t["Key"]: t["Value"] for t in image.get("Tags", [])}


@pytest.fixture
def image_id(ec2_registry):
    return ec2_registry.add_image("web-1").image_id


# --- CreateTags ------------------------------------------------------------------------------


def test_create_tags_adds_and_overwrites(ec2, ec2_registry, image_id):
    ec2.create_tags(Resources=[image_id], Tags=[{"Key": "env", "Value": "dev"}])
    ec2.create_tags(
        Resources=[image_id], Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": ""}]
    )
    assert tags_of(ec2, image_id) == {"env": "prod", "team": ""}
    assert dict(ec2_registry.images[image_id].tags) == {"env": "prod", "team": ""}


def test_a_tag_without_value_gets_the_empty_string(raw, ec2_registry, image_id):
    answer = raw(
        {
            "Action": "CreateTags",
            "Version": "2016-11-15",
            "ResourceId.1": image_id,
            "Tag.1.Key": "Name",
        }
    )
    assert answer.status == 200
    assert answer.find("return") == "true"
    assert dict(ec2_registry.images[image_id].tags) == {"Name": ""}


def test_images_and_snapshots_in_one_call(ec2, ec2_registry, image_id):
    ec2_registry.add_snapshot(SNAP)
    ec2.create_tags(Resources=[image_id, SNAP], Tags=[{"Key": "bake", "Value": "42"}])
    assert dict(ec2_registry.snapshots[SNAP].tags) == {"bake": "42"}
    [snapshot] = ec2.describe_snapshots(SnapshotIds=[SNAP])["Snapshots"]
    assert snapshot["Tags"] == [{"Key": "bake", "Value": "42"}]
    assert tags_of(ec2, image_id) == {"bake": "42"}


def test_aws_prefix_is_reserved(ec2, image_id):
    with pytest.raises(ClientError) as raised:
        ec2.create_tags(Resources=[image_id], Tags=[{"Key": "aws:cloudformation:x", "Value": "1"}])
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Value ( aws:cloudformation:x ) for parameter key is invalid. "
        "Tag keys starting with 'aws:' are reserved for internal use",
    )


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [("k" * 128, "v", "k" * 128), ("key", "v" * 257, "v" * 257), ("", "v", "()")],
)
def test_key_and_value_lengths(ec2, image_id, key, value, named):
    with pytest.raises(ClientError) as raised:
        ec2.create_tags(Resources=[image_id], Tags=[{"Key": key, "Value": value}])
    code, message = error_of(raised)
    assert code == "InvalidParameterValue"
    assert named in message


def test_longest_key_and_value_are_fine(ec2, image_id):
    ec2.create_tags(Resources=[image_id], Tags=[{"Key": "k" * 127, "Value": "v" * 256}])
    assert tags_of(ec2, image_id) == {"k" * 127: "v" * 256}


def test_fifty_tags_per_resource(ec2, ec2_registry, image_id):
    other = ec2_registry.add_image("web-2", tags={f"old{n}": "x" for n in range(45)}).image_id
    ec2.create_tags(Resources=[image_id], Tags=[{"Key": f"k{n}", "Value": ""} for n in range(50)])
    assert len(tags_of(ec2, image_id)) == 50
    # Overwriting keeps the count: still fine.
    ec2.create_tags(Resources=[image_id], Tags=[{"Key": "k0", "Value": "new"}])
    with pytest.raises(ClientError) as raised:
        ec2.create_tags(
            Resources=[image_id, other], Tags=[{"Key": f"n{n}", "Value": ""} for n in range(6)]
        )
    assert error_of(raised)[0] == "TagLimitExceeded"
    # Nothing was applied to either resource.
    assert len(tags_of(ec2, other)) == 45
    assert len(tags_of(ec2, image_id)) == 50


def test_unknown_image_fails_the_whole_request(ec2, ec2_registry, image_id):
    with pytest.raises(ClientError) as raised:
        ec2.create_tags(
            Resources=[image_id, "ami-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}]
        )
    assert error_of(raised) == (
        "InvalidAMIID.NotFound",
        "The image id '[ami-0123456789abcdef0]' does not exist",
    )
    assert dict(ec2_registry.images[image_id].tags) == {}


def test_unknown_snapshot(ec2, image_id):
    with pytest.raises(ClientError) as raised:
        ec2.create_tags(Resources=[SNAP2], Tags=[{"Key": "a", "Value": "b"}])
    assert error_of(raised) == (
        "InvalidSnapshot.NotFound",
        f"The snapshot '{SNAP2}' does not exist.",
    )


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("ami-123", "The ID 'ami-123' is not valid"),
        ("web-1", "The ID 'web-1' is not valid"),
        (
            "i-0123456789abcdef0",
            "The ID 'i-0123456789abcdef0' is not valid: pytest-ec2image tags only images (ami-) "
            "and snapshots (snap-)",
        ),
    ],
)
def test_invalid_resource_ids(ec2, resource, message):
    with pytest.raises(ClientError) as raised:
        ec2.create_tags(Resources=[resource], Tags=[{"Key": "a", "Value": "b"}])
    assert error_of(raised) == ("InvalidID", message)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"Tag.1.Key": "a"}, "resourceIdSet"),
        ({"ResourceId.1": "ami-0123456789abcdef0"}, "tagSet"),
        ({"ResourceId.1": "ami-0123456789abcdef0", "Tag.1.Value": "v"}, "Tag.1.Key"),
    ],
)
def test_missing_parameters(raw, params, name):
    answer = raw({"Action": "CreateTags", "Version": "2016-11-15", **params})
    assert (answer.status, answer.code) == (400, "MissingParameter")
    assert answer.message == f"The request must contain the parameter {name}"


def test_dry_run_tags_nothing(ec2, ec2_registry, image_id):
    with pytest.raises(ClientError) as raised:
        ec2.create_tags(Resources=[image_id], Tags=[{"Key": "a", "Value": "b"}], DryRun=True)
    assert error_of(raised)[0] == "DryRunOperation"
    assert dict(ec2_registry.images[image_id].tags) == {}


def test_tags_did_not_exist_in_2009(raw, image_id):
    answer = raw(
        {
            "Action": "CreateTags",
            "Version": "2009-10-31",
            "ResourceId.1": image_id,
            "Tag.1.Key": "a",
        }
    )
    assert (answer.status, answer.code) == (400, "InvalidAction")
    assert "2009-10-31" in answer.message


# --- DeleteTags ------------------------------------------------------------------------------


@pytest.fixture
def tagged(ec2_registry):
    return ec2_registry.add_image(
        "tagged", tags={"env": "prod", "team": "", "owner": "ops", "cost": "1"}
    ).image_id


@pytest.mark.parametrize(
    ("tags", "left"),
    [
        ([{"Key": "env"}], {"team": "", "owner": "ops", "cost": "1"}),
        ([{"Key": "env", "Value": "prod"}], {"team": "", "owner": "ops", "cost": "1"}),
        (
            [{"Key": "env", "Value": "dev"}],
            {"env": "prod", "team": "", "owner": "ops", "cost": "1"},
        ),
        ([{"Key": "team", "Value": ""}], {"env": "prod", "owner": "ops", "cost": "1"}),
        ([{"Key": "owner", "Value": ""}], {"env": "prod", "team": "", "owner": "ops", "cost": "1"}),
        ([{"Key": "absent"}], {"env": "prod", "team": "", "owner": "ops", "cost": "1"}),
        ([{"Key": "env"}, {"Key": "cost", "Value": "1"}], {"team": "", "owner": "ops"}),
    ],
    ids=["key", "key+value", "other-value", "empty-value", "empty-vs-set", "absent", "two"],
)
def test_delete_tags_rules(ec2, ec2_registry, tagged, tags, left):
    ec2.delete_tags(Resources=[tagged], Tags=tags)
    assert dict(ec2_registry.images[tagged].tags) == left


def test_delete_without_tags_removes_user_tags_but_not_aws_ones(ec2, ec2_registry, tagged):
    # AWS-generated tags cannot be made through the API; put one in place directly.
    region = ec2_registry._state.region(ec2_registry.region)
    image = region.images[tagged]
    region.replace(replace(image, tags=MappingProxyType({**image.tags, "aws:backup:source": "x"})))
    ec2.delete_tags(Resources=[tagged])
    assert dict(ec2_registry.images[tagged].tags) == {"aws:backup:source": "x"}


def test_delete_tags_on_snapshots_and_errors(ec2, ec2_registry, tagged):
    ec2_registry.add_snapshot(SNAP)
    ec2.create_tags(Resources=[SNAP], Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ec2.delete_tags(Resources=[SNAP, tagged], Tags=[{"Key": "a"}, {"Key": "env"}])
    assert dict(ec2_registry.snapshots[SNAP].tags) == {"b": "2"}
    assert "env" not in ec2_registry.images[tagged].tags
    with pytest.raises(ClientError) as raised:
        ec2.delete_tags(Resources=["ami-0123456789abcdef0"], Tags=[{"Key": "a"}])
    assert error_of(raised)[0] == "InvalidAMIID.NotFound"
    with pytest.raises(ClientError) as raised:
        ec2.delete_tags(Resources=[tagged], Tags=[{"Key": "aws:x"}])
    assert error_of(raised)[0] == "InvalidParameterValue"
    assert "aws:x" in error_of(raised)[1]


# --- DescribeTags ----------------------------------------------------------------------------


@pytest.fixture
def inventory(ec2_registry):
    first = ec2_registry.add_image("web-1", tags={"env": "prod", "Name": "web"}).image_id
    second = ec2_registry.add_image("db-1", tags={"env": "dev"}).image_id
    ec2_registry.add_image("untagged")
    ec2_registry.add_snapshot(SNAP)
    ec2_registry.client().create_tags(Resources=[SNAP], Tags=[{"Key": "env", "Value": "prod"}])
    return first, second


def rows(answer):
    return [(t["ResourceId"], t["ResourceType"], t["Key"], t["Value"]) for t in answer["Tags"]]


def test_describe_all_tags(ec2, inventory):
    first, second = inventory
    assert rows(ec2.describe_tags()) == [
        (first, "image", "env", "prod"),
        (first, "image", "Name", "web"),
        (second, "image", "env", "dev"),
        (SNAP, "snapshot", "env", "prod"),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"Name": "resource-type", "Values": ["snapshot"]}], ["snapshot:env"]),
        ([{"Name": "key", "Values": ["Name"]}], ["first:Name"]),
        ([{"Name": "value", "Values": ["pr*"]}], ["first:env", "snapshot:env"]),
        ([{"Name": "value", "Values": ["d?v"]}], ["second:env"]),
        ([{"Name": "tag:Name", "Values": ["web"]}], ["first:env", "first:Name"]),
        ([{"Name": "resource-id", "Values": ["SECOND"]}], ["second:env"]),
        (
            [{"Name": "resource-type", "Values": ["image"]}, {"Name": "key", "Values": ["env"]}],
            ["first:env", "second:env"],
        ),
    ],
    ids=["type", "key", "value*", "value?", "tag:", "resource-id", "anded"],
)
def test_describe_tags_filters(ec2, inventory, filters, expected):
    first, second = inventory
    labels = {first: "first", second: "second", SNAP: "snapshot"}
    for f in filters:
        f["Values"] = [second if v == "SECOND" else v for v in f["Values"]]
    got = [f"{labels[r]}:{k}" for r, _, k, _ in rows(ec2.describe_tags(Filters=filters))]
    assert got == expected


def test_describe_tags_unknown_filter(ec2):
    with pytest.raises(ClientError) as raised:
        ec2.describe_tags(Filters=[{"Name": "resource", "Values": ["x"]}])
    assert error_of(raised) == ("InvalidParameterValue", "The filter 'resource' is invalid")


def test_describe_tags_paginates(ec2, ec2_registry):
    for n in range(4):
        ec2_registry.add_image(f"image-{n}", tags={f"k{m}": str(m) for m in range(3)})
    paginator = ec2.get_paginator("describe_tags")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Tags"]) for p in pages] == [5, 5, 2]
    keys = [(t["ResourceId"], t["Key"]) for p in pages for t in p["Tags"]]
    assert len(set(keys)) == 12


@pytest.mark.parametrize("size", ["4", "1001"])
def test_describe_tags_max_results_range(raw, size):
    answer = raw({"Action": "DescribeTags", "Version": "2016-11-15", "MaxResults": size})
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")


def test_describe_tags_shows_only_images_the_caller_can_see(ec2, ec2_registry):
    hidden = ec2_registry.add_image("theirs", owner_id="210987654321", tags={"x": "1"})
    shared = ec2_registry.add_image("vendor", owner_id="210987654321", public=True, tags={"y": "2"})
    assert rows(ec2.describe_tags()) == [(shared.image_id, "image", "y", "2")]
    by_id = [{"Name": "resource-id", "Values": [hidden.image_id, shared.image_id]}]
    assert rows(ec2.describe_tags(Filters=by_id)) == [(shared.image_id, "image", "y", "2")]
