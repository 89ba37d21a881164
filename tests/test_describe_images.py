"""DescribeImages: ids, owners, executable-by, every filter, deprecation, pagination."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import pytest_ec2image.actions.describe_images
from tests.conftest import SNAP, SNAP2, register

OTHER = "210987654321"
THIRD = "333333333333"
KERNEL = "aki-0123456789abcdef0"
RAMDISK = "ari-0123456789abcdef0"


def names(answer):
    return [image["Name"] for image in answer["Images"]]


def error_of(raised):
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


# --- ImageId.N -------------------------------------------------------------------------------


def test_by_id_answers_the_images_in_request_order(ec2):
    first, second = register(ec2, "web-1"), register(ec2, "web-2")
    answer = ec2.describe_images(ImageIds=[second, first])
    assert [i["ImageId"] for i in answer["Images"]] == [second, first]
    assert names(answer) == ["web-2", "web-1"]


def test_unknown_id_is_not_found_with_aws_brackets(ec2):
    register(ec2, "web-1")
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(ImageIds=["ami-0123456789abcdef0"])
    assert error_of(raised) == (
        "InvalidAMIID.NotFound",
        "The image id '[ami-0123456789abcdef0]' does not exist",
    )


def test_several_unknown_ids_are_listed_in_one_message(ec2):
    known = register(ec2, "web-1")
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(ImageIds=["ami-0000000000000000a", known, "ami-0000000b"])
    assert error_of(raised) == (
        "InvalidAMIID.NotFound",
        "The image id '[ami-0000000000000000a, ami-0000000b]' does not exist",
    )


@pytest.mark.parametrize(
    "bad", ["ami-0ebf472962bc6715", "ami-fake123", "snap-0123456789abcdef0", "AMI-12345678"]
)
def test_malformed_id(raw, bad):
    answer = raw({"Action": "DescribeImages", "Version": "2016-11-15", "ImageId.1": bad})
    assert (answer.status, answer.code) == (400, "InvalidAMIID.Malformed")
    assert answer.message == f'Invalid id: "{bad}" (expecting "ami-...")'


def test_deregistered_id_answers_an_empty_result(ec2):
    # AWS answers no error for an id it knew (SPEC 4.7): Ansible's ec2_ami waits for this.
    image_id = register(ec2, "web-1")
    ec2.deregister_image(ImageId=image_id)
    assert ec2.describe_images(ImageIds=[image_id])["Images"] == []
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(ImageIds=[image_id, "ami-0123456789abcdef0"])
    assert error_of(raised) == (
        "InvalidAMIID.NotFound",
        "The image id '[ami-0123456789abcdef0]' does not exist",
    )


# --- Owner.N / ExecutableBy.N ----------------------------------------------------------------


@pytest.fixture
def shared_world(ec2_registry):
    """Own private, own public, another account's public, one shared with us, one private to
    the other account, one shared with a third account."""
    ec2_registry.add_image("mine-private")
    ec2_registry.add_image("mine-public", public=True)
    ec2_registry.add_image("mine-shared-with-third", launch_permissions=(THIRD,))
    ec2_registry.add_image("theirs-public", owner_id=OTHER, public=True)
    ec2_registry.add_image("theirs-shared", owner_id=OTHER, launch_permissions=("123456789012",))
    ec2_registry.add_image("theirs-private", owner_id=OTHER)
    ec2_registry.add_image(
        "amazon-linux", owner_id="137112412989", public=True, image_owner_alias="amazon"
    )
    return ec2_registry


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {},
            [
                "mine-private",
                "mine-public",
                "mine-shared-with-third",
                "theirs-public",
                "theirs-shared",
                "amazon-linux",
            ],
        ),
        ({"Owners": ["self"]}, ["mine-private", "mine-public", "mine-shared-with-third"]),
        ({"Owners": ["123456789012"]}, ["mine-private", "mine-public", "mine-shared-with-third"]),
        ({"Owners": [OTHER]}, ["theirs-public", "theirs-shared"]),
        ({"Owners": ["amazon"]}, ["amazon-linux"]),
        (
            {"Owners": ["self", "amazon"]},
            ["mine-private", "mine-public", "mine-shared-with-third", "amazon-linux"],
        ),
        ({"ExecutableUsers": ["all"]}, ["mine-public", "theirs-public", "amazon-linux"]),
        # Owned or explicitly shared; public images only through "all" (access.executable_by).
        (
            {"ExecutableUsers": ["self"]},
            ["mine-private", "mine-public", "mine-shared-with-third", "theirs-shared"],
        ),
        ({"ExecutableUsers": [THIRD]}, ["mine-shared-with-third"]),
        ({"Owners": [OTHER], "ExecutableUsers": ["all"]}, ["theirs-public"]),
    ],
    ids=[
        "default",
        "self",
        "own-id",
        "other",
        "amazon",
        "self+amazon",
        "exec-all",
        "exec-self",
        "exec-third",
        "owner+exec",
    ],
)
def test_owner_and_executable_by_scope(ec2, shared_world, kwargs, expected):
    assert names(ec2.describe_images(**kwargs)) == expected


@pytest.mark.parametrize(("param", "value"), [("Owner.1", "me"), ("ExecutableBy.1", "12345")])
def test_malformed_user_id(raw, param, value):
    answer = raw({"Action": "DescribeImages", "Version": "2016-11-15", param: value})
    assert (answer.status, answer.code) == (400, "InvalidUserID.Malformed")
    assert answer.message == f'Invalid user id: "{value}"'


def test_another_accounts_private_image_by_id_is_left_out(ec2, shared_world):
    hidden = next(i for i in shared_world.images.values() if i.name == "theirs-private")
    assert ec2.describe_images(ImageIds=[hidden.image_id])["Images"] == []


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture
def two_images(ec2_registry):
    ec2_registry.add_image(
        "alpha-1",
        architecture="x86_64",
        description="first image",
        ena_support=True,
        boot_mode="uefi",
        kernel_id=KERNEL,
        ramdisk_id=RAMDISK,
        root_device_name="/dev/xvda",
        virtualization_type="hvm",
        sriov_net_support="simple",
        public=True,
        platform="windows",
        product_codes=(("abc123xyz", "marketplace"),),
        source_image_id="ami-0aaaaaaaaaaaaaaaa",
        source_image_region="eu-west-1",
        creation_date="2026-11-25T10:00:00.000Z",
        block_device_mappings=[
            {
                "device_name": "/dev/xvda",
                "ebs": {
                    "snapshot_id": SNAP,
                    "volume_size": 8,
                    "volume_type": "gp3",
                    "encrypted": True,
                    "delete_on_termination": True,
                },
            }
        ],
        tags={"env": "prod", "Name": "alpha"},
    )
    ec2_registry.add_image(
        "beta-2",
        image_type="kernel",
        root_device_type="instance-store",
        image_location="my-bucket/beta.manifest.xml",
        state="failed",
        state_reason={"code": "Client.InvalidImage", "message": "bundle is corrupt"},
        creation_date="2026-11-26T11:00:00.000Z",
        block_device_mappings=[
            {
                "device_name": "/dev/sdb",
                "ebs": {
                    "snapshot_id": SNAP2,
                    "volume_size": 20,
                    "volume_type": "gp2",
                    "encrypted": False,
                    "delete_on_termination": False,
                },
            },
            {"device_name": "/dev/sdc", "virtual_name": "ephemeral0"},
        ],
        tags={"team": "web", "Name": ""},
    )
    return ec2_registry


FILTER_CASES = [
    ("architecture", "x86_64", ["alpha-1"]),
    ("architecture", "i386", ["beta-2"]),
    ("block-device-mapping.delete-on-termination", "false", ["beta-2"]),
    ("block-device-mapping.device-name", "/dev/sdc", ["beta-2"]),
    ("block-device-mapping.snapshot-id", SNAP, ["alpha-1"]),
    ("block-device-mapping.volume-size", "20", ["beta-2"]),
    ("block-device-mapping.volume-type", "gp3", ["alpha-1"]),
    ("block-device-mapping.encrypted", "true", ["alpha-1"]),
    ("boot-mode", "uefi", ["alpha-1"]),
    ("creation-date", "2026-11-26T*", ["beta-2"]),
    ("description", "first image", ["alpha-1"]),
    ("ena-support", "true", ["alpha-1"]),
    ("free-tier-eligible", "false", ["alpha-1", "beta-2"]),
    ("hypervisor", "xen", ["alpha-1", "beta-2"]),
    ("image-allowed", "true", ["alpha-1", "beta-2"]),
    ("image-type", "kernel", ["beta-2"]),
    ("is-public", "true", ["alpha-1"]),
    ("is-public", "false", ["beta-2"]),
    ("kernel-id", KERNEL, ["alpha-1"]),
    ("manifest-location", "my-bucket/*", ["beta-2"]),
    ("name", "alpha-1", ["alpha-1"]),
    ("owner-alias", "amazon", []),
    ("owner-id", "123456789012", ["alpha-1", "beta-2"]),
    ("platform", "windows", ["alpha-1"]),
    ("product-code", "abc123xyz", ["alpha-1"]),
    ("product-code.type", "marketplace", ["alpha-1"]),
    ("ramdisk-id", RAMDISK, ["alpha-1"]),
    ("root-device-name", "/dev/xvda", ["alpha-1"]),
    ("root-device-type", "instance-store", ["beta-2"]),
    ("source-image-id", "ami-0aaaaaaaaaaaaaaaa", ["alpha-1"]),
    ("source-image-region", "eu-west-1", ["alpha-1"]),
    ("source-instance-id", "i-0123456789abcdef0", []),
    ("state", "failed", ["beta-2"]),
    ("state", "available", ["alpha-1"]),
    ("state-reason-code", "Client.InvalidImage", ["beta-2"]),
    ("state-reason-message", "*corrupt", ["beta-2"]),
    ("sriov-net-support", "simple", ["alpha-1"]),
    ("tag:env", "prod", ["alpha-1"]),
    ("tag:Name", "", ["beta-2"]),
    ("tag-key", "team", ["beta-2"]),
    ("tag-value", "prod", ["alpha-1"]),
    ("virtualization-type", "paravirtual", ["beta-2"]),
    ("image-id", "ami-*", ["alpha-1", "beta-2"]),
    ("image-watermark.watermark-key", "*", []),
    ("scan-result.highest-finding-severity-label", "critical", []),
]


@pytest.mark.parametrize(
    ("name", "value", "expected"), FILTER_CASES, ids=[f"{n}={v}" for n, v, _ in FILTER_CASES]
)
def test_each_filter(ec2, two_images, name, value, expected):
    answer = ec2.describe_images(Filters=[{"Name": name, "Values": [value]}])
    assert names(answer) == expected


def test_every_documented_filter_name_is_accepted(ec2, two_images):
    documented = [
        "architecture",
        "block-device-mapping.delete-on-termination",
        "block-device-mapping.device-name",
        "block-device-mapping.snapshot-id",
        "block-device-mapping.volume-size",
        "block-device-mapping.volume-type",
        "block-device-mapping.encrypted",
        "creation-date",
        "description",
        "ena-support",
        "free-tier-eligible",
        "hypervisor",
        "image-allowed",
        "image-id",
        "image-type",
        "is-public",
        "kernel-id",
        "manifest-location",
        "name",
        "owner-alias",
        "owner-id",
        "platform",
        "product-code",
        "product-code.type",
        "ramdisk-id",
        "root-device-name",
        "root-device-type",
        "source-image-id",
        "source-image-region",
        "source-instance-id",
        "state",
        "state-reason-code",
        "state-reason-message",
        "sriov-net-support",
        "tag-key",
        "tag-value",
        "virtualization-type",
        "tag:anything",
    ]
    for name in documented:
        ec2.describe_images(Filters=[{"Name": name, "Values": ["x"]}])


def test_image_id_filter_matches_by_id(ec2, two_images):
    alpha = next(i for i in two_images.images.values() if i.name == "alpha-1")
    answer = ec2.describe_images(Filters=[{"Name": "image-id", "Values": [alpha.image_id]}])
    assert names(answer) == ["alpha-1"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("web-*", ["web-1", "web-10", "web-2"]),
        ("web*", ["web-1", "web-10", "web-2", "web"]),
        ("web-?", ["web-1", "web-2"]),
        ("web-??", ["web-1", "web-10", "web-2"]),
        ("web?", ["web"]),
        ("*-1*", ["web-1", "web-10"]),
        ("*", ["web-1", "web-10", "web-2", "web", "other"]),
        ("WEB-*", []),
    ],
)
def test_wildcards(ec2_registry, ec2, pattern, expected):
    # ``?`` is zero or one character: ``web?`` matches "web" itself (reference 4.2).
    for name in ("web-1", "web-10", "web-2", "web", "other"):
        ec2_registry.add_image(name)
    answer = ec2.describe_images(Filters=[{"Name": "name", "Values": [pattern]}])
    assert names(answer) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("a\\*", ["a*"]),
        ("a\\?", ["a?"]),
        ("a\\\\b", ["a\\b"]),
        ("a*", ["a*", "a?", "a\\b", "ab"]),
        ("\\*amazon\\?\\\\", ["*amazon?\\"]),
    ],
)
def test_escaped_wildcards_match_literally(ec2_registry, ec2, pattern, expected):
    # Names cannot hold * ? or a backslash; tag values can.
    for n, value in enumerate(("a*", "a?", "a\\b", "ab", "*amazon?\\")):
        ec2_registry.add_image(f"image-{n}", tags={"v": value})
    answer = ec2.describe_images(Filters=[{"Name": "tag:v", "Values": [pattern]}])
    assert [i["Tags"][0]["Value"] for i in answer["Images"]] == expected


def test_bad_escape_is_invalid_filter_value(raw):
    answer = raw(
        {
            "Action": "DescribeImages",
            "Version": "2016-11-15",
            "Filter.1.Name": "name",
            "Filter.1.Value.1": "web\\d",
        }
    )
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert answer.message == "Invalid filter value: The escape sequence '\\d' is invalid"


def test_unknown_filter_is_invalid(ec2):
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(Filters=[{"Name": "colour", "Values": ["blue"]}])
    assert error_of(raised) == ("InvalidParameterValue", "The filter 'colour' is invalid")


def test_filter_without_name_is_missing_parameter(raw):
    answer = raw({"Action": "DescribeImages", "Version": "2016-11-15", "Filter.1.Value.1": "x"})
    assert (answer.status, answer.code) == (400, "MissingParameter")
    assert answer.message == "The request must contain the parameter Filter.1.Name"


def test_values_are_ored_and_filters_anded(ec2, two_images):
    either = [{"Name": "name", "Values": ["alpha-1", "beta-2"]}]
    assert names(ec2.describe_images(Filters=either)) == ["alpha-1", "beta-2"]
    both = [*either, {"Name": "tag-key", "Values": ["team"]}]
    assert names(ec2.describe_images(Filters=both)) == ["beta-2"]
    none = [*both, {"Name": "architecture", "Values": ["x86_64"]}]
    assert names(ec2.describe_images(Filters=none)) == []


def test_filter_values_are_case_sensitive(ec2, two_images):
    assert names(ec2.describe_images(Filters=[{"Name": "tag:env", "Values": ["PROD"]}])) == []
    assert names(ec2.describe_images(Filters=[{"Name": "tag:ENV", "Values": ["prod"]}])) == []


@pytest.mark.ec2_registry(pending_describes=1)
def test_state_filter_sees_the_displayed_state(ec2, ec2_registry):
    image_id = register(ec2, "web-1")
    pending = ec2.describe_images(Filters=[{"Name": "state", "Values": ["pending"]}])
    assert [i["ImageId"] for i in pending["Images"]] == [image_id]
    # That view counted: the image now shows as available.
    assert ec2.describe_images(Filters=[{"Name": "state", "Values": ["pending"]}])["Images"] == []
    [image] = ec2.describe_images(Filters=[{"Name": "state", "Values": ["available"]}])["Images"]
    assert image["State"] == "available"


# --- the indexes -----------------------------------------------------------------------------


@pytest.fixture
def count_matches(monkeypatch):
    """Counts how many images DescribeImages tested against its filters."""
    seen: list[str] = []
    real = pytest_ec2image.actions.describe_images.match_all

    def counting(filters, image):
        seen.append(image.name)
        return real(filters, image)

    monkeypatch.setattr(pytest_ec2image.actions.describe_images, "match_all", counting)
    return seen


def test_exact_name_lookup_reads_only_that_image(ec2, ec2_registry, count_matches):
    for n in range(200):
        ec2_registry.add_image(f"image-{n:03d}")
    answer = ec2.describe_images(
        Owners=["self"], Filters=[{"Name": "name", "Values": ["image-150", "image-007"]}]
    )
    assert names(answer) == ["image-007", "image-150"]  # registration order
    assert sorted(count_matches) == ["image-007", "image-150"]


def test_image_id_filter_and_ids_use_the_index(ec2, ec2_registry, count_matches):
    images = [ec2_registry.add_image(f"image-{n:03d}") for n in range(200)]
    wanted = images[42].image_id
    ec2.describe_images(Filters=[{"Name": "image-id", "Values": [wanted]}])
    ec2.describe_images(ImageIds=[wanted])
    assert count_matches == ["image-042", "image-042"]


def test_wildcard_name_walks_the_images(ec2, ec2_registry, count_matches):
    for n in range(20):
        ec2_registry.add_image(f"image-{n:03d}")
    answer = ec2.describe_images(Filters=[{"Name": "name", "Values": ["image-01*"]}])
    assert len(answer["Images"]) == 10
    assert len(count_matches) == 20


def test_exact_name_of_a_missing_image_answers_nothing(ec2, ec2_registry, count_matches):
    ec2_registry.add_image("present")
    assert ec2.describe_images(Filters=[{"Name": "name", "Values": ["absent"]}])["Images"] == []
    assert count_matches == []


# --- IncludeDeprecated / IncludeDisabled -----------------------------------------------------


def test_deprecated_images_of_others_need_include_deprecated(ec2, ec2_registry):
    ec2_registry.add_image(
        "old-public", owner_id=OTHER, public=True, deprecation_time="2020-01-01T00:00:00.000Z"
    )
    ec2_registry.add_image(
        "future-public", owner_id=OTHER, public=True, deprecation_time="2999-01-01T00:00:00.000Z"
    )
    ec2_registry.add_image("old-mine", deprecation_time="2020-01-01T00:00:00.000Z")
    assert names(ec2.describe_images()) == ["future-public", "old-mine"]
    assert names(ec2.describe_images(IncludeDeprecated=True)) == [
        "old-public",
        "future-public",
        "old-mine",
    ]
    old = next(i for i in ec2_registry.images.values() if i.name == "old-public")
    [shown] = ec2.describe_images(ImageIds=[old.image_id])["Images"]
    assert shown["DeprecationTime"] == "2020-01-01T00:00:00.000Z"


def test_disabled_images_need_include_disabled(ec2, ec2_registry):
    ec2_registry.add_image("off-1", state="disabled")
    ec2_registry.add_image("on-1")
    assert names(ec2.describe_images()) == ["on-1"]
    assert names(ec2.describe_images(IncludeDisabled=True)) == ["off-1", "on-1"]


def test_include_flags_must_be_booleans(raw):
    answer = raw(
        {"Action": "DescribeImages", "Version": "2016-11-15", "IncludeDeprecated": "maybe"}
    )
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert "maybe" in answer.message


# --- MaxResults / NextToken ------------------------------------------------------------------


def test_paginator_walks_every_image_once(ec2, ec2_registry):
    created = [ec2_registry.add_image(f"image-{n:02d}").image_id for n in range(27)]
    paginator = ec2.get_paginator("describe_images")
    pages = list(paginator.paginate(Owners=["self"], PaginationConfig={"PageSize": 10}))
    assert [len(p["Images"]) for p in pages] == [10, 10, 7]
    assert [i["ImageId"] for p in pages for i in p["Images"]] == created
    assert "NextToken" not in pages[-1]
    assert [c.params.get("MaxResults") for c in ec2_registry.calls.of("DescribeImages")] == [
        "10",
        "10",
        "10",
    ]


def test_paginator_with_filters_and_build_full_result(ec2, ec2_registry):
    for n in range(30):
        ec2_registry.add_image(f"{'web' if n % 3 else 'db'}-{n:02d}")
    paginator = ec2.get_paginator("describe_images")
    result = paginator.paginate(
        Owners=["self"],
        Filters=[{"Name": "name", "Values": ["web-*"]}],
        PaginationConfig={"PageSize": 5},
    ).build_full_result()
    assert len(result["Images"]) == 20
    assert all(i["Name"].startswith("web-") for i in result["Images"])


def test_deregistering_between_pages_skips_nothing(ec2, ec2_registry):
    created = [ec2_registry.add_image(f"image-{n:02d}").image_id for n in range(12)]
    first = ec2.describe_images(Owners=["self"], MaxResults=5)
    for image in first["Images"]:
        ec2.deregister_image(ImageId=image["ImageId"])
    second = ec2.describe_images(Owners=["self"], MaxResults=5, NextToken=first["NextToken"])
    assert [i["ImageId"] for i in second["Images"]] == created[5:10]


def test_exact_page_leaves_no_token(ec2, ec2_registry):
    for n in range(10):
        ec2_registry.add_image(f"image-{n:02d}")
    answer = ec2.describe_images(MaxResults=10)
    assert len(answer["Images"]) == 10
    assert "NextToken" not in answer


@pytest.mark.parametrize("size", ["4", "1001", "0", "ten"])
def test_max_results_out_of_range(raw, size):
    answer = raw({"Action": "DescribeImages", "Version": "2016-11-15", "MaxResults": size})
    assert (answer.status, answer.code) == (400, "InvalidParameterValue")
    assert size in answer.message


def test_max_results_with_image_ids_is_a_bad_combination(ec2):
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(ImageIds=["ami-0123456789abcdef0"], MaxResults=5)
    assert error_of(raised)[0] == "InvalidParameterCombination"


def test_token_of_another_query_or_garbage_is_rejected(ec2, ec2_registry):
    for n in range(7):
        ec2_registry.add_image(f"image-{n:02d}")
    token = ec2.describe_images(Owners=["self"], MaxResults=5)["NextToken"]
    other_queries = (
        {"Owners": [OTHER]},
        {"Owners": ["self"], "Filters": [{"Name": "name", "Values": ["*"]}]},
    )
    for kwargs in other_queries:
        with pytest.raises(ClientError) as raised:
            ec2.describe_images(MaxResults=5, NextToken=token, **kwargs)
        assert error_of(raised)[0] == "InvalidPaginationToken"
    # The same query with another page size continues where the token points.
    rest = ec2.describe_images(Owners=["self"], MaxResults=6, NextToken=token)
    assert names(rest) == ["image-05", "image-06"]
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(MaxResults=5, NextToken="not-a-token")
    assert error_of(raised) == (
        "InvalidPaginationToken",
        "The pagination token 'not-a-token' is not valid or is expired for this request.",
    )


# --- other request forms ---------------------------------------------------------------------


def test_dry_run_answers_412(ec2):
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(DryRun=True)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert error_of(raised)[0] == "DryRunOperation"


def test_get_and_post_give_the_same_answer(raw, ec2_registry):
    image = ec2_registry.add_image("web-1")
    params = {"Action": "DescribeImages", "Version": "2016-11-15", "ImageId.1": image.image_id}
    posted = raw(params)
    fetched = raw(params, method="GET")
    assert posted.find("name") == fetched.find("name") == "web-1"
    assert posted.find("imageState") == "available"


def test_seed_version_knows_no_filters(raw):
    answer = raw(
        {
            "Action": "DescribeImages",
            "Version": "2009-10-31",
            "Filter.1.Name": "name",
            "Filter.1.Value.1": "x",
        }
    )
    assert (answer.status, answer.code) == (400, "UnknownParameter")


def test_seed_version_answers_seed_fields(raw, ec2_registry):
    image = ec2_registry.add_image("web-1", tags={"a": "b"})
    answer = raw(
        {
            "Action": "DescribeImages",
            "Version": "2009-10-31",
            "ImageId.1": image.image_id,
            "Owner.1": "self",
        }
    )
    assert answer.status == 200
    assert answer.find("name") == "web-1"
    assert answer.find("creationDate") is None
    assert answer.find("tagSet") is None
