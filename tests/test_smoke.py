from tests.conftest import SNAP


def test_register_then_describe_through_boto3(ec2, ec2_registry):
    image_id = ec2.register_image(
        Name="web-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]
    [described] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert described["Name"] == "web-1"
    assert ec2_registry.images[image_id].block_device_mappings[0].ebs.snapshot_id == SNAP


def test_unknown_action_is_invalid_action(raw):
    answer = raw({"Action": "FooBar", "Version": "2016-11-15"})
    assert (answer.status, answer.code) == (400, "InvalidAction")
    assert answer.message == "The action FooBar is not valid for this web service."
