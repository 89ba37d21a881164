"""The seed document's three RegisterImage examples, sent as written, answer as it shows.

The requests and the example responses are read from the seed page itself
(``reference/RegisterImage-2009-10-31.txt``), so the test follows the document, not a copy.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import RawAnswer

SEED_PAGE = Path(__file__).parent / "data" / "reference" / "RegisterImage-2009-10-31.txt"
SEED_NS = "http://ec2.amazonaws.com/doc/2009-10-31/"
MODERN_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"

#: The Image fields the seed era's DescribeImages knew (reference section 6).
SEED_ERA_FIELDS = {
    "imageId",
    "imageLocation",
    "imageState",
    "imageOwnerId",
    "isPublic",
    "productCodes",
    "architecture",
    "imageType",
    "kernelId",
    "ramdiskId",
    "platform",
    "stateReason",
    "imageOwnerAlias",
    "name",
    "description",
    "rootDeviceType",
    "rootDeviceName",
    "blockDeviceMapping",
}
SEED_ERA_MAPPING_FIELDS = {"deviceName", "virtualName", "ebs", "noDevice"}
SEED_ERA_EBS_FIELDS = {"snapshotId", "volumeSize", "deleteOnTermination"}
#: Fields today's DescribeImages has for every registered image and the seed era did not.
MODERN_ONLY_FIELDS = {
    "creationDate",
    "virtualizationType",
    "hypervisor",
    "platformDetails",
    "usageOperation",
}


def _seed_examples() -> tuple[list[str], list[etree._Element]]:
    text = SEED_PAGE.read_text(encoding="utf-8")
    urls = re.findall(r"^https://ec2\.amazonaws\.com/(\?\S+)&AuthParams$", text, re.M)
    responses = [
        etree.fromstring(xml.encode())
        for xml in re.findall(r"^(<RegisterImageResponse .*</RegisterImageResponse>)", text, re.M)
    ]
    return urls, responses


EXAMPLE_QUERIES, EXAMPLE_RESPONSES = _seed_examples()


def get(endpoint: str, query: str) -> RawAnswer:
    """GET ``endpoint/`` + ``query`` exactly as written: no re-encoding, no auth, no Version."""
    try:
        with urllib.request.urlopen(endpoint + "/" + query, timeout=10) as response:
            return RawAnswer(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return RawAnswer(error.code, error.read(), dict(error.headers))


def local(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def test_the_seed_page_has_three_examples():
    assert len(EXAMPLE_QUERIES) == len(EXAMPLE_RESPONSES) == 3
    assert all(q.startswith("?Action=RegisterImage&") for q in EXAMPLE_QUERIES)
    assert "Version" not in "".join(EXAMPLE_QUERIES)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_a_seed_example_succeeds_and_answers_as_the_seed_shows(ec2_registry, number):
    answer = get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[number - 1])
    example = EXAMPLE_RESPONSES[number - 1]

    assert answer.status == 200, answer.body
    root = answer.xml
    assert root.tag == example.tag == f"{{{SEED_NS}}}RegisterImageResponse"
    assert root.nsmap == example.nsmap == {None: SEED_NS}
    # Every element of the example is there, in the example's shape; requestId (listed in the
    # seed's response table, left out of its examples) comes first.
    assert local(example) == ["imageId"]
    assert local(root) == ["requestId", "imageId"]
    assert re.fullmatch(r"ami-[0-9a-f]{8}", example.findtext(f"{{{SEED_NS}}}imageId"))
    image_id = root.findtext(f"{{{SEED_NS}}}imageId")
    assert re.fullmatch(r"ami-[0-9a-f]{8}", image_id)

    assert list(ec2_registry.images) == [image_id]
    [call] = ec2_registry.calls
    assert (call.method, call.version, call.auth, call.status) == ("GET", "2009-10-31", "none", 200)


def test_example_1_registers_the_manifest_named_image(ec2_registry):
    get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[0])
    image = ec2_registry.assert_registered(image_location="mybucket-myimage.manifest.xml")
    # No Name in the example: it comes from the manifest file name.
    assert image.name == "mybucket-myimage"
    assert (image.root_device_type, image.architecture) == ("instance-store", "i386")
    assert image.api_version == "2009-10-31"


def test_example_2_registers_the_snapshot_as_an_ebs_image(ec2_registry):
    get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[1])
    image = ec2_registry.assert_registered(name="MyImage")
    assert (image.root_device_type, image.root_device_name) == ("ebs", "/dev/sda1")
    [root] = image.block_device_mappings
    assert (root.device_name, root.ebs.snapshot_id) == ("/dev/sda1", "snap-6eba6e06")
    assert root.ebs.delete_on_termination is True  # the seed's "Default: true"
    assert image.image_location == f"{ec2_registry.account_id}/MyImage"


def test_example_3_registers_three_volumes_including_an_empty_100_gib_one(ec2_registry):
    get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[2])
    image = ec2_registry.assert_registered(name="MyImage")
    devices = [
        (m.device_name, m.ebs.snapshot_id, m.ebs.volume_size) for m in image.block_device_mappings
    ]
    assert devices == [
        ("/dev/sda1", "snap-6eba6e06", 8),
        ("/dev/sdb", "snap-823ea6df", 8),
        ("/dev/sdbc", None, 100),  # the seed's own device name, kept as written
    ]
    assert set(ec2_registry.snapshots) == {"snap-6eba6e06", "snap-823ea6df"}


def test_examples_2_and_3_in_one_account_meet_the_duplicate_name_rule(ec2_registry):
    first = get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[1])
    second = get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[2])
    assert first.status == 200
    assert (second.status, second.code) == (400, "InvalidAMIName.Duplicate")
    assert second.message == f"AMI name MyImage is already in use by AMI {first.find('imageId')}"


def test_post_form_gives_the_same_result_as_get(ec2_registry, raw):
    by_get = get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[2])
    from_get = ec2_registry.images[by_get.find("imageId")]
    ec2_registry.reset()
    # As curl posts a form: no charset in the Content-Type.
    by_post = raw(
        body=EXAMPLE_QUERIES[2][1:].encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert by_post.status == by_get.status == 200
    assert by_post.xml.tag == by_get.xml.tag
    assert local(by_post.xml) == local(by_get.xml)
    from_post = ec2_registry.images[by_post.find("imageId")]
    assert replace(from_post, image_id="x", creation_date="x") == replace(
        from_get, image_id="x", creation_date="x"
    )
    assert [c.method for c in ec2_registry.calls] == ["POST"]


@pytest.mark.parametrize("number", [1, 2, 3])
def test_seed_describe_images_shows_only_seed_era_fields(ec2_registry, raw, number):
    image_id = get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[number - 1]).find("imageId")
    for version in ({"Version": "2009-10-31"}, {}):
        answer = raw({"Action": "DescribeImages", "ImageId.1": image_id, **version})
        assert answer.status == 200, answer.body
        assert answer.xml.tag == f"{{{SEED_NS}}}DescribeImagesResponse"
        [item] = answer.xml.iterfind(f"{{{SEED_NS}}}imagesSet/{{{SEED_NS}}}item")
        fields = set(local(item))
        assert fields <= SEED_ERA_FIELDS, fields - SEED_ERA_FIELDS
        assert {"imageId", "imageLocation", "imageState", "imageOwnerId", "name"} <= fields
        for mapping in item.iterfind(f".//{{{SEED_NS}}}blockDeviceMapping/{{{SEED_NS}}}item"):
            assert set(local(mapping)) <= SEED_ERA_MAPPING_FIELDS
            for ebs in mapping.iterfind(f"{{{SEED_NS}}}ebs"):
                assert set(local(ebs)) <= SEED_ERA_EBS_FIELDS
                assert "snapshotId" in local(ebs) or "volumeSize" in local(ebs)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_modern_describe_images_of_a_seed_image_shows_todays_fields(ec2_registry, ec2, number):
    image_id = get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[number - 1]).find("imageId")
    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert {"CreationDate", "VirtualizationType", "Hypervisor", "PlatformDetails"} <= set(image)
    assert (image["VirtualizationType"], image["Hypervisor"]) == ("paravirtual", "xen")
    for mapping in image["BlockDeviceMappings"]:
        # 2009 had no volume types: a seed registration's volumes are magnetic.
        assert mapping["Ebs"]["VolumeType"] == "standard"
        assert mapping["Ebs"]["Encrypted"] is False


def test_modern_describe_images_xml_carries_the_modern_only_fields(ec2_registry, raw):
    image_id = get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[1]).find("imageId")
    answer = raw({"Action": "DescribeImages", "Version": "2016-11-15", "ImageId.1": image_id})
    assert answer.xml.tag == f"{{{MODERN_NS}}}DescribeImagesResponse"
    [item] = answer.xml.iterfind(f"{{{MODERN_NS}}}imagesSet/{{{MODERN_NS}}}item")
    assert set(local(item)) >= MODERN_ONLY_FIELDS
    [ebs] = item.iterfind(f".//{{{MODERN_NS}}}ebs")
    assert {"volumeType", "encrypted"} <= set(local(ebs))


def test_seed_deregister_image_by_get_then_the_name_is_free(ec2_registry):
    image_id = get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[1]).find("imageId")
    gone = get(ec2_registry.endpoint_url, f"?Action=DeregisterImage&ImageId={image_id}")
    assert gone.status == 200
    assert gone.xml.tag == f"{{{SEED_NS}}}DeregisterImageResponse"
    assert gone.find("return") == "true"
    again = get(ec2_registry.endpoint_url, EXAMPLE_QUERIES[2])
    assert again.status == 200
    assert list(ec2_registry.images) == [again.find("imageId")]
