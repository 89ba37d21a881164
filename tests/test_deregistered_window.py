"""After DeregisterImage, DescribeImages by id shows the image ``deregistered`` for
``deregistered_describes`` views, then answers an empty result, never an error (SPEC 4.7):
what Ansible's ``amazon.aws.ec2_ami state=absent wait=yes`` polls for."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.conftest import register


def states(ec2, image_id):
    return [i["State"] for i in ec2.describe_images(ImageIds=[image_id])["Images"]]


def test_the_default_is_an_empty_result_at_once(ec2, ec2_registry):
    assert ec2_registry.deregistered_describes == 0
    image_id = register(ec2, "web-1")
    ec2.deregister_image(ImageId=image_id)
    assert states(ec2, image_id) == []


def test_the_image_shows_deregistered_for_that_many_views(ec2, ec2_registry):
    ec2_registry.deregistered_describes = 2
    image_id = register(ec2, "web-1")
    kept = register(ec2, "web-2")
    ec2.deregister_image(ImageId=image_id)
    [shown] = ec2.describe_images(ImageIds=[image_id, kept])["Images"][:1]
    assert (shown["ImageId"], shown["State"], shown["Name"]) == (image_id, "deregistered", "web-1")
    assert states(ec2, image_id) == ["deregistered"]
    assert states(ec2, image_id) == []
    assert states(ec2, kept) == ["available"]
    # Only by id: a listing never shows a deregistered image, and its name is free at once.
    assert [i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]] == [kept]
    assert register(ec2, "web-1") != image_id


def test_filters_see_the_deregistered_state(ec2, ec2_registry):
    ec2_registry.deregistered_describes = 5
    image_id = register(ec2, "web-1")
    ec2.deregister_image(ImageId=image_id)
    by_state = ec2.describe_images(
        ImageIds=[image_id], Filters=[{"Name": "state", "Values": ["deregistered"]}]
    )["Images"]
    assert [i["ImageId"] for i in by_state] == [image_id]
    available = ec2.describe_images(
        ImageIds=[image_id], Filters=[{"Name": "state", "Values": ["available"]}]
    )["Images"]
    assert available == []


def test_an_ansible_style_wait_for_absence_ends(ec2, ec2_registry):
    """ec2_ami state=absent wait=yes: DeregisterImage, then DescribeImages by id until the
    answer is empty (it treats InvalidAMIID.NotFound from AWS as a failure of the wait)."""
    ec2_registry.deregistered_describes = 3
    image_id = register(ec2, "web-1")
    ec2.deregister_image(ImageId=image_id)
    polls = 0
    while ec2.describe_images(ImageIds=[image_id])["Images"]:
        polls += 1
        assert polls < 10
    assert polls == 3
    described = ec2_registry.calls.of("DescribeImages")
    assert [c.status for c in described] == [200] * 4


def test_a_never_registered_id_is_still_not_found(ec2, ec2_registry):
    ec2_registry.deregistered_describes = 3
    with pytest.raises(ClientError) as raised:
        ec2.describe_images(ImageIds=["ami-0123456789abcdef0"])
    assert raised.value.response["Error"]["Code"] == "InvalidAMIID.NotFound"


@pytest.mark.ec2_registry(deregistered_describes=1)
def test_the_marker_sets_it_and_the_control_api_shows_it(ec2, ec2_registry):
    assert ec2_registry.deregistered_describes == 1
    image_id = register(ec2, "web-1")
    ec2.deregister_image(ImageId=image_id)
    assert states(ec2, image_id) == ["deregistered"]
    with urllib.request.urlopen(ec2_registry.endpoint_url + "/_ec2image/state") as answer:
        assert json.load(answer)["deregistered_describes"] == 1
    ec2_registry.reset()
    assert ec2_registry.deregistered_describes == 1


def test_a_negative_count_is_refused(ec2_registry, pytester):
    with pytest.raises(ValueError, match="deregistered_describes must be >= 0, got -1"):
        ec2_registry.deregistered_describes = -1
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ec2_registry(deregistered_describes=-2)
        def test_misused(ec2_registry):
            pass
        """
    )
    result = pytester.runpytest()
    result.stderr.fnmatch_lines(["*deregistered_describes must be >= 0, got -2*"])
