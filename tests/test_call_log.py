"""The call log: every request the fake answered, as a typed, read-only record."""

from __future__ import annotations

import dataclasses

import pytest
from botocore.exceptions import ClientError

from pytest_ec2image import Call, CallLog
from tests.conftest import SNAP

V = "2016-11-15"


def register(client, name="web-1"):
    return client.register_image(
        Name=name,
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )


def test_a_boto3_call_is_logged_with_every_field(ec2, ec2_registry):
    answer = register(ec2)

    [call] = ec2_registry.calls
    assert isinstance(call, Call)
    assert call.action == "RegisterImage"
    assert call.params == {
        "Action": "RegisterImage",
        "Version": V,
        "Name": "web-1",
        "RootDeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.DeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.Ebs.SnapshotId": SNAP,
    }
    assert (call.version, call.method, call.status, call.ok) == (V, "POST", 200, True)
    assert (call.error_code, call.error_message, call.fault) == (None, None, None)
    assert call.image_id == answer["ImageId"]
    assert call.request_id == answer["ResponseMetadata"]["RequestId"]
    assert (call.region, call.auth) == ("us-east-1", "sigv4")
    assert call.access_key == ec2_registry.access_key_id
    assert call.duration > 0
    assert call.summary() == f"RegisterImage Name=web-1 -> 200 {answer['ImageId']}"


def test_failed_calls_are_logged_with_their_error(ec2, ec2_registry):
    ec2_registry.add_image("web-1")
    with pytest.raises(ClientError) as raised:
        register(ec2)

    [call] = ec2_registry.calls
    assert (call.status, call.ok, call.error_code) == (400, False, "InvalidAMIName.Duplicate")
    assert call.error_message == raised.value.response["Error"]["Message"]
    assert call.image_id is None
    assert call.summary() == "RegisterImage Name=web-1 -> 400 InvalidAMIName.Duplicate"


@pytest.mark.parametrize(
    ("request_kwargs", "action", "status", "code"),
    [
        ({"body": b"Action=Register%ZZImage"}, "", 400, "InvalidParameterValue"),
        ({"params": {"Version": V}}, "", 400, "MissingParameter"),
        (
            {"params": {"Action": "FooBar", "Version": V}},
            "FooBar",
            400,
            "InvalidAction",
        ),
        (
            {"params": {"Action": "DescribeImages", "Version": V, "Bogus": "1"}},
            "DescribeImages",
            400,
            "UnknownParameter",
        ),
        (
            {"params": {"Action": "DescribeImages", "Version": "2020-01-01"}},
            "DescribeImages",
            400,
            "NoSuchVersion",
        ),
        (
            {"method": "GET", "query": "Action=DescribeImages&Version=2016-11-15"},
            "DescribeImages",
            200,
            None,
        ),
    ],
    ids=["bad-encoding", "no-action", "unknown-action", "unknown-param", "bad-version", "get"],
)
def test_every_request_is_logged_even_unparsable_ones(
    raw, ec2_registry, request_kwargs, action, status, code
):
    answer = raw(**request_kwargs)

    [call] = ec2_registry.calls
    assert (call.action, call.status, call.error_code) == (action, status, code)
    assert answer.status == status
    assert answer.headers["x-amzn-RequestId"] == call.request_id
    assert call.method == request_kwargs.get("method", "POST")


def test_auth_parameters_are_recorded_as_auth_not_params(raw, ec2_registry):
    raw(
        {
            "Action": "DescribeImages",
            "Version": V,
            "AWSAccessKeyId": "AKIDEXAMPLE",
            "SignatureVersion": "2",
            "SignatureMethod": "HmacSHA256",
            "Timestamp": "2026-01-01T00:00:00Z",
            "Signature": "abc=",
        }
    )
    [call] = ec2_registry.calls
    assert call.params == {"Action": "DescribeImages", "Version": V}
    assert (call.auth, call.access_key) == ("sigv2", "AKIDEXAMPLE")


def test_calls_of_filters_by_action_in_order(ec2, ec2_registry):
    register(ec2, "web-1")
    ec2.describe_images(Owners=["self"])
    register(ec2, "web-2")

    registered = ec2_registry.calls.of("RegisterImage")
    assert [c.params["Name"] for c in registered] == ["web-1", "web-2"]
    assert [c.action for c in ec2_registry.calls.of("DescribeImages")] == ["DescribeImages"]
    assert ec2_registry.calls.of("DeregisterImage") == []
    assert [c.summary() for c in ec2_registry.calls][1] == "DescribeImages Owner.1=self -> 200"


def test_the_call_log_is_a_read_only_sequence_of_frozen_calls(ec2, ec2_registry):
    register(ec2, "web-1")
    register(ec2, "web-2")
    calls = ec2_registry.calls

    assert isinstance(calls, CallLog)
    assert len(calls) == 2
    assert calls[-1].params["Name"] == "web-2"
    assert [c.params["Name"] for c in calls[:1]] == ["web-1"]
    assert not hasattr(calls, "append")
    with pytest.raises(TypeError):
        calls[0] = calls[1]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        calls[0].status = 500  # type: ignore[misc]
    assert "RegisterImage Name=web-2 -> 200" in repr(calls)


def test_the_fault_that_fired_is_on_its_call(ec2_registry, raw):
    fault = ec2_registry.fail("DescribeImages", "Unavailable", times=2)
    for _ in range(3):
        raw({"Action": "DescribeImages", "Version": V})

    calls = ec2_registry.calls
    assert [c.fault for c in calls] == [fault, fault, None]
    assert calls[0].fault.hits == 2
    assert calls[0].summary() == "DescribeImages -> 503 Unavailable (fault)"
    assert calls[2].summary() == "DescribeImages -> 200"


def test_the_sigv4_scope_region_is_recorded(ec2_registry):
    client = ec2_registry.client(region_name="eu-west-1")
    client.describe_images(Owners=["self"])
    assert ec2_registry.calls[0].region == "eu-west-1"


def test_each_test_starts_with_an_empty_log(ec2_registry):
    assert list(ec2_registry.calls) == []
    assert repr(ec2_registry.calls) == "CallLog([])"
