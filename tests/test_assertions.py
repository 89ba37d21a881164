"""assert_registered, assert_not_registered and assert_called: what they return, and what their
failure messages say (each image with the fields that differed; each call made)."""

from __future__ import annotations

import re

import pytest

from pytest_ec2image import BlockDeviceMapping, EbsBlockDevice
from tests.conftest import SNAP, SNAP2, register

# --- assert_registered --------------------------------------------------------------------------


def test_assert_registered_returns_the_one_matching_image(ec2, ec2_registry):
    register(ec2, "web-1")
    image_id = register(ec2, "web-2", SNAP2, Architecture="x86_64")

    image = ec2_registry.assert_registered(name="web-2", architecture="x86_64")

    assert image == ec2_registry.images[image_id]
    assert image.block_device_mappings[0].ebs.snapshot_id == SNAP2


def test_assert_registered_compares_lists_dicts_and_properties_naturally(ec2, ec2_registry):
    register(
        ec2,
        TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "team", "Value": "web"}]}],
    )

    image = ec2_registry.assert_registered(
        snapshot_ids=[SNAP],
        tags={"team": "web"},
        is_public=False,
        block_device_mappings=[
            {
                "device_name": "/dev/sda1",
                "ebs": {
                    "snapshot_id": SNAP,
                    "volume_size": 8,
                    "volume_type": "gp2",
                    "encrypted": False,
                },
            }
        ],
    )
    assert image.block_device_mappings == (
        BlockDeviceMapping(
            device_name="/dev/sda1",
            ebs=EbsBlockDevice(snapshot_id=SNAP, volume_size=8, volume_type="gp2", encrypted=False),
        ),
    )


def test_assert_registered_says_when_nothing_was_registered(ec2_registry):
    with pytest.raises(AssertionError) as raised:
        ec2_registry.assert_registered(name="web-1")
    assert str(raised.value) == (
        "expected exactly one image in us-east-1 with name='web-1'; "
        "no image is registered there at all"
    )


def test_assert_registered_points_at_other_regions_that_hold_images(ec2_registry):
    ec2_registry.in_region("eu-west-1").add_image("web-1")
    with pytest.raises(AssertionError, match=r"at all \(images exist in eu-west-1\)$"):
        ec2_registry.assert_registered(name="web-1")
    ec2_registry.in_region("eu-west-1").assert_registered(name="web-1")


def test_assert_registered_lists_each_image_with_the_fields_that_differed(ec2_registry):
    far = ec2_registry.add_image("db-1", architecture="arm64", image_id="ami-0000000000000000a")
    near = ec2_registry.add_image("web-1", architecture="i386", image_id="ami-0000000000000000b")

    with pytest.raises(AssertionError) as raised:
        ec2_registry.assert_registered(name="web-1", architecture="x86_64")

    # Closest first: web-1 differs in one field, db-1 in two.
    assert str(raised.value).splitlines() == [
        "expected exactly one image in us-east-1 with name='web-1', architecture='x86_64'; "
        "none of the 2 image(s) matches:",
        f"  {near.image_id} (web-1): architecture='i386' (expected 'x86_64')",
        f"  {far.image_id} (db-1): name='db-1' (expected 'web-1'), "
        "architecture='arm64' (expected 'x86_64')",
    ]


def test_assert_registered_names_the_nested_field_that_differed(ec2, ec2_registry):
    image_id = register(ec2)
    wanted = BlockDeviceMapping(
        device_name="/dev/sda1", ebs=EbsBlockDevice(snapshot_id=SNAP, volume_size=16)
    )
    with pytest.raises(AssertionError) as raised:
        ec2_registry.assert_registered(block_device_mappings=[wanted])
    assert str(raised.value).splitlines()[1] == (
        f"  {image_id} (web-1): block_device_mappings[0].ebs.volume_size=8 (expected 16), "
        "block_device_mappings[0].ebs.volume_type='gp2' (expected None), "
        "block_device_mappings[0].ebs.encrypted=False (expected None)"
    )


def test_assert_registered_shows_a_non_available_state(ec2_registry):
    ec2_registry.add_image("web-1", state="pending", image_id="ami-0000000000000000b")
    with pytest.raises(
        AssertionError, match=re.escape("ami-0000000000000000b (web-1, pending): state")
    ):
        ec2_registry.assert_registered(name="web-1", state="available")


def test_assert_registered_refuses_several_matches(ec2_registry):
    one = ec2_registry.add_image("web-1", architecture="x86_64")
    two = ec2_registry.add_image("web-2", architecture="x86_64")
    with pytest.raises(AssertionError) as raised:
        ec2_registry.assert_registered(architecture="x86_64")
    assert str(raised.value).splitlines() == [
        "expected exactly one image in us-east-1 with architecture='x86_64'; 2 images match:",
        f"  {one.image_id} (web-1)",
        f"  {two.image_id} (web-2)",
    ]


def test_assert_registered_summarizes_a_long_list(ec2_registry):
    for n in range(25):
        ec2_registry.add_image(f"web-{n}")
    with pytest.raises(AssertionError) as raised:
        ec2_registry.assert_registered(name="db")
    lines = str(raised.value).splitlines()
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == "  ... and 5 more"


def test_assert_registered_rejects_unknown_fields(ec2_registry):
    with pytest.raises(TypeError, match=r"unknown fields: imageName \(Image fields are: "):
        ec2_registry.assert_registered(imageName="web-1")


# --- assert_not_registered ----------------------------------------------------------------------


def test_assert_not_registered(ec2, ec2_registry):
    ec2_registry.assert_not_registered("web-1")
    image_id = register(ec2, "web-1")

    with pytest.raises(AssertionError) as raised:
        ec2_registry.assert_not_registered("web-1")
    assert str(raised.value) == (
        f"expected no image named 'web-1' in us-east-1, found {image_id} (web-1)"
    )

    ec2.deregister_image(ImageId=image_id)
    ec2_registry.assert_not_registered("web-1")


# --- assert_called ------------------------------------------------------------------------------


def test_assert_called_counts_failed_and_faulted_calls_too(ec2_registry, raw):
    ec2_registry.fail("DescribeImages", "Unavailable")
    raw({"Action": "DescribeImages", "Version": "2016-11-15"})
    raw({"Action": "DescribeImages", "Version": "2016-11-15", "Bogus": "x"})

    calls = ec2_registry.assert_called("DescribeImages", times=2)

    assert [c.error_code for c in calls] == ["Unavailable", "UnknownParameter"]
    assert ec2_registry.assert_called("DescribeImages") == calls
    assert ec2_registry.assert_called("RegisterImage", times=0) == []


def test_assert_called_lists_the_calls_that_were_made(ec2, ec2_registry):
    image_id = register(ec2)

    with pytest.raises(AssertionError) as raised:
        ec2_registry.assert_called("RegisterImage", times=2)
    assert str(raised.value).splitlines() == [
        "expected RegisterImage to be called 2 time(s), it was called 1 time(s); calls:",
        f"  RegisterImage Name=web-1 -> 200 {image_id}",
    ]
    ec2_registry.reset()
    with pytest.raises(AssertionError, match=r"\(no calls at all\)"):
        ec2_registry.assert_called("CopyImage")


def test_assert_called_rejects_a_non_integer_times(ec2_registry):
    with pytest.raises(TypeError, match="times must be a whole number"):
        ec2_registry.assert_called("RegisterImage", times="1")


# --- how they read in pytest's output -------------------------------------------------------------


def test_a_failed_assertion_reads_well_in_pytest_output(pytester):
    pytester.makepyfile(
        """
        def test_bake(ec2_registry):
            ec2_registry.add_image("web-1", image_id="ami-0123456789abcdef0")
            ec2_registry.assert_registered(name="web-2")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "    def test_bake(ec2_registry):",
            '>       ec2_registry.assert_registered(name="web-2")',
            "E       AssertionError: expected exactly one image in us-east-1 with name='web-2'; "
            "none of the 1 image(s) matches:",
            "E         ami-0123456789abcdef0 (web-1): name='web-1' (expected 'web-2')",
        ]
    )
    # The helper's own frames are hidden: the test's line is the last one shown.
    result.stdout.no_fnmatch_line("*registry.py*")
