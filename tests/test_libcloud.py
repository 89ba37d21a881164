"""Apache libcloud's EC2 driver, unmodified, against the fixture: it signs with SigV2 and
numbers its CreateTags lists from 0 (``ResourceId.0``, ``Tag.0.Key``), which EC2 takes
(SPEC 4.8). Run by ``tox -e clients``."""

from __future__ import annotations

import importlib.util
from urllib.parse import urlsplit

import pytest

from tests.conftest import SNAP

pytestmark = pytest.mark.clients


@pytest.fixture
def driver(ec2_registry):
    # A missing libcloud fails the test: a skip would hide that the clients env is broken.
    assert importlib.util.find_spec("libcloud") is not None, "needs apache-libcloud: tox -e clients"
    from libcloud.compute.drivers.ec2 import EC2NodeDriver

    url = urlsplit(ec2_registry.endpoint_url)
    return EC2NodeDriver(
        ec2_registry.access_key_id,
        ec2_registry.secret_access_key,
        region=ec2_registry.region,
        host=url.hostname,
        port=url.port,
        secure=False,
    )


def test_libcloud_registers_tags_and_deregisters(driver, ec2_registry):
    image = driver.ex_register_image(
        "web-1",
        description="baked by libcloud",
        architecture="x86_64",
        root_device_name="/dev/sda1",
        block_device_mapping=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )
    registered = ec2_registry.assert_registered(name="web-1", architecture="x86_64")
    assert image.id == registered.image_id

    assert driver.ex_create_tags(image, {"team": "bake", "stage": "prod"}) is True
    assert dict(ec2_registry.images[image.id].tags) == {"team": "bake", "stage": "prod"}
    create_tags = ec2_registry.calls.of("CreateTags")[-1]
    assert create_tags.params["ResourceId.0"] == image.id
    assert create_tags.summary() == f"CreateTags ResourceId.0={image.id} -> 200"

    assert [i.id for i in driver.list_images(ex_owner="self")] == [image.id]
    assert driver.delete_image(image) is True
    ec2_registry.assert_not_registered("web-1")
    assert {c.auth for c in ec2_registry.calls} == {"sigv2"}
    assert all(c.ok for c in ec2_registry.calls)


@pytest.mark.ec2_registry(verify_signatures=True)
def test_libcloud_signatures_verify(driver, ec2_registry):
    assert driver.list_images(ex_owner="self") == []
    assert ec2_registry.calls[-1].status == 200
