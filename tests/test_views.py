"""``Ec2Registry.images``, ``snapshots`` and ``manifests`` are live read-only views (SPEC 3):
a lookup sees the store as it is now, iterating walks a snapshot taken when it starts."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import SNAP, register


def test_a_view_taken_before_a_registration_sees_it(ec2, ec2_registry):
    images = ec2_registry.images
    assert len(images) == 0
    image_id = register(ec2, "web-1")
    assert image_id in images
    assert images[image_id].name == "web-1"
    assert ec2_registry.images[register(ec2, "web-2")].name == "web-2"
    assert len(images) == 2
    assert list(images) == [image_id, *[i for i in images if i != image_id]]


def test_views_see_deregistration_and_reset(ec2, ec2_registry):
    images, snapshots = ec2_registry.images, ec2_registry.snapshots
    image_id = register(ec2, "web-1")
    assert SNAP in snapshots
    ec2.deregister_image(ImageId=image_id)
    assert image_id not in images
    with pytest.raises(KeyError):
        images[image_id]
    ec2_registry.add_manifest("bucket/a.manifest.xml")
    manifests = ec2_registry.manifests
    assert dict(manifests) == {"bucket/a.manifest.xml": None}
    ec2_registry.reset()
    assert (len(images), len(snapshots), len(manifests)) == (0, 0, 0)


def test_views_are_read_only(ec2_registry):
    image = ec2_registry.add_image("web-1")
    with pytest.raises(TypeError):
        ec2_registry.images[image.image_id] = image  # type: ignore[index]
    assert not hasattr(ec2_registry.images, "pop")


def test_a_region_view_reads_its_own_region(ec2_registry):
    west = ec2_registry.in_region("eu-west-1")
    image = west.add_image("web-1")
    assert image.image_id in west.images
    assert image.image_id not in ec2_registry.images


def test_iterating_walks_a_snapshot_while_the_server_registers(ec2_registry):
    for n in range(50):
        ec2_registry.add_image(f"seed-{n:02d}")
    client = ec2_registry.client()
    done = threading.Event()
    errors: list[BaseException] = []

    def keep_registering() -> None:
        try:
            for n in range(40):
                image_id = register(client, f"live-{n:02d}")
                if n % 2:
                    client.deregister_image(ImageId=image_id)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            done.set()

    worker = threading.Thread(target=keep_registering)
    worker.start()
    walks = 0
    while not done.is_set():
        # Neither loop may raise "dictionary changed size during iteration" or KeyError.
        names = [image.name for image in ec2_registry.images.values()]
        ids = list(ec2_registry.images)
        assert names[:50] == [f"seed-{n:02d}" for n in range(50)]
        assert len(ids) >= 50
        walks += 1
    worker.join(timeout=60)
    assert not errors
    assert walks >= 1
    assert len(ec2_registry.images) == 50 + 20
