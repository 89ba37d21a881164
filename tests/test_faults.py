"""Injected faults, as a client sees them: through boto3 (real retries, real waiters) and raw
HTTP, plus the Fault handle and its validation."""

from __future__ import annotations

import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

from pytest_ec2image import Ec2Registry, Fault
from tests.conftest import SNAP, register_params, send

# Standard mode retries throttling, 5xx and dropped connections, with a small backoff.
FAST_RETRIES = {"mode": "standard", "total_max_attempts": 3}


def register(client, name="web-1", **extra):
    return client.register_image(
        Name=name,
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
        **extra,
    )


def fast_client(registry: Ec2Registry, **retries):
    return registry.client(config=Config(retries={**FAST_RETRIES, **retries}))


# --- throttling ---------------------------------------------------------------------------------


def test_throttle_twice_then_the_default_client_succeeds_on_its_third_attempt(ec2, ec2_registry):
    fault = ec2_registry.throttle(times=2)

    answer = register(ec2)

    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    calls = ec2_registry.calls.of("RegisterImage")
    assert [(c.status, c.error_code) for c in calls] == [
        (503, "RequestLimitExceeded"),
        (503, "RequestLimitExceeded"),
        (200, None),
    ]
    assert [c.fault for c in calls] == [fault, fault, None]
    assert calls[2].image_id == answer["ImageId"]
    assert (fault.hits, fault.remaining) == (2, 0)
    ec2_registry.assert_registered(name="web-1", image_id=answer["ImageId"])


def test_throttle_beyond_the_retry_budget_reaches_the_caller(ec2_registry):
    client = fast_client(ec2_registry, total_max_attempts=2)
    fault = ec2_registry.throttle(times=None)

    with pytest.raises(ClientError) as raised:
        register(client)

    error = raised.value.response
    assert error["Error"] == {"Code": "RequestLimitExceeded", "Message": "Request limit exceeded."}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert error["ResponseMetadata"]["RetryAttempts"] == 1
    assert [c.status for c in ec2_registry.calls] == [503, 503]
    assert fault.hits == 2
    assert fault.remaining is None
    assert ec2_registry.images == {}

    fault.cancel()
    register(client)
    assert fault.remaining == 0
    assert fault.hits == 2
    ec2_registry.assert_registered(name="web-1")


# --- dropped connections ------------------------------------------------------------------------


def test_disconnect_makes_botocore_retry_and_the_retry_succeeds(ec2, ec2_registry):
    fault = ec2_registry.disconnect()

    answer = register(ec2)

    first, second = ec2_registry.calls.of("RegisterImage")
    assert (first.status, first.fault, first.image_id) == (0, fault, None)
    assert first.summary() == "RegisterImage Name=web-1 -> no answer, connection closed (fault)"
    assert (second.status, second.fault) == (200, None)
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert list(ec2_registry.images) == [answer["ImageId"]]


def test_disconnect_after_commit_is_the_lost_response_the_retry_meets_a_duplicate(ec2_registry):
    client = fast_client(ec2_registry)
    ec2_registry.disconnect(after_commit=True)

    with pytest.raises(ClientError) as raised:
        register(client)

    [image] = ec2_registry.images.values()
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidAMIName.Duplicate"
    assert error["Message"] == f"AMI name web-1 is already in use by AMI {image.image_id}"
    first, retry = ec2_registry.calls.of("RegisterImage")
    assert (first.status, first.image_id) == (0, image.image_id)
    assert first.summary().endswith(
        f"no answer, connection closed ({image.image_id} committed) (fault)"
    )
    assert (retry.status, retry.error_code, retry.fault) == (400, "InvalidAMIName.Duplicate", None)


def test_disconnect_on_raw_http_gives_no_answer_at_all(ec2_registry):
    ec2_registry.disconnect("DescribeImages")
    with pytest.raises(ConnectionError):  # RemoteDisconnected or ConnectionResetError
        send(ec2_registry.endpoint_url, {"Action": "DescribeImages", "Version": "2016-11-15"})
    answer = send(ec2_registry.endpoint_url, {"Action": "DescribeImages", "Version": "2016-11-15"})
    assert answer.status == 200


# --- delay --------------------------------------------------------------------------------------


def test_delay_holds_the_matching_call_and_not_a_parallel_one(ec2_registry):
    # Wide margin: the parallel call must finish while the slow one is still held, even on a
    # loaded machine.
    seconds = 2.0
    slow_arrived = threading.Event()

    def slow_only(call):
        if call.params.get("Name") == "slow":
            slow_arrived.set()
            return True
        return False

    fault = ec2_registry.delay("RegisterImage", seconds, when=slow_only)
    finished: dict[str, float] = {}

    # Clients are built before the race: loading botocore's model is slow under load.
    slow_client, fast_client = ec2_registry.client(), ec2_registry.client()

    def register_slow():
        started = time.monotonic()
        register(slow_client, "slow")
        finished["slow"] = time.monotonic()
        finished["slow_took"] = finished["slow"] - started

    slow = threading.Thread(target=register_slow)
    slow.start()
    assert slow_arrived.wait(10)
    register(fast_client, "fast")
    finished["fast"] = time.monotonic()
    slow.join(10)

    assert finished["slow_took"] >= seconds
    assert finished["fast"] < finished["slow"]
    assert fault.hits == 1
    assert {c.params["Name"]: c.fault for c in ec2_registry.calls} == {"fast": None, "slow": fault}
    assert ec2_registry.calls.of("RegisterImage")[-1].duration >= seconds


def test_cancel_releases_a_delayed_call_at_once(ec2_registry):
    fault = ec2_registry.delay("DescribeImages", 600)
    answers = []
    thread = threading.Thread(
        target=lambda: answers.append(
            send(ec2_registry.endpoint_url, {"Action": "DescribeImages", "Version": "2016-11-15"})
        )
    )
    thread.start()
    while fault.hits == 0:
        time.sleep(0.005)
    fault.cancel()
    thread.join(10)
    assert not thread.is_alive()
    assert answers[0].status == 200


def test_a_delay_combines_with_a_failure_on_the_same_call(raw, ec2_registry):
    delay = ec2_registry.delay("RegisterImage", 0.05, times=1)
    fail = ec2_registry.fail("RegisterImage", "InvalidParameterValue", "nope")

    answer = raw(register_params())

    assert (answer.status, answer.code, answer.message) == (400, "InvalidParameterValue", "nope")
    assert (delay.hits, fail.hits) == (1, 1)
    [call] = ec2_registry.calls
    assert call.fault is fail
    assert call.duration >= 0.05


# --- when -------------------------------------------------------------------------------------


def test_when_dict_hits_only_the_matching_calls(ec2, ec2_registry):
    fault = ec2_registry.fail(
        "RegisterImage", "InvalidSnapshot.NotFound", when={"Name": "web-2"}, times=None
    )

    register(ec2, "web-1")
    with pytest.raises(ClientError) as raised:
        register(ec2, "web-2")
    register(ec2, "web-3")

    assert raised.value.response["Error"]["Code"] == "InvalidSnapshot.NotFound"
    assert fault.hits == 1
    assert [c.params["Name"] for c in ec2_registry.calls if c.fault is fault] == ["web-2"]
    assert sorted(i.name for i in ec2_registry.images.values()) == ["web-1", "web-3"]


def test_when_dict_compares_ints_and_bools_as_wire_text(raw, ec2_registry):
    fault = ec2_registry.fail(
        "DescribeImages", "InvalidParameterValue", when={"MaxResults": 5, "IncludeDeprecated": True}
    )
    base = {"Action": "DescribeImages", "Version": "2016-11-15"}
    assert raw({**base, "MaxResults": "5"}).status == 200
    answer = raw({**base, "MaxResults": "5", "IncludeDeprecated": "true"})
    assert answer.code == "InvalidParameterValue"
    assert fault.when == {"MaxResults": "5", "IncludeDeprecated": "true"}


def test_when_callable_receives_the_parsed_call(ec2, ec2_registry):
    seen = []

    def nightly(call):
        seen.append((call.action, call.version, call.region, call.auth))
        return call.params.get("Description", "").startswith("nightly")

    ec2_registry.fail("RegisterImage", "InvalidAMIName.Duplicate", when=nightly, times=None)

    register(ec2, "web-1", Description="release build")
    with pytest.raises(ClientError, match="InvalidAMIName.Duplicate"):
        register(ec2, "web-2", Description="nightly build")

    assert seen == [("RegisterImage", "2016-11-15", "us-east-1", "sigv4")] * 2


# --- fail -----------------------------------------------------------------------------------


def test_faults_of_one_action_are_consumed_in_the_order_they_were_added(raw, ec2_registry):
    first = ec2_registry.fail("RegisterImage", "InvalidParameterValue", "first", times=2)
    second = ec2_registry.fail("RegisterImage", "Unavailable")
    other = ec2_registry.fail("DescribeImages", "AuthFailure")

    codes = [raw(register_params(f"web-{n}")).code for n in range(4)]

    assert codes == ["InvalidParameterValue", "InvalidParameterValue", "Unavailable", None]
    assert (first.hits, second.hits, other.hits) == (2, 1, 0)
    assert [c.fault for c in ec2_registry.calls] == [first, first, second, None]


def test_fail_status_comes_from_the_error_table_unless_given(raw, ec2_registry):
    ec2_registry.fail("DescribeImages", "InternalError")
    ec2_registry.fail("DescribeImages", "UnauthorizedOperation")
    ec2_registry.fail("DescribeImages", "Client.Whatever", "custom text", status=409)
    describe = {"Action": "DescribeImages", "Version": "2016-11-15"}

    answers = [raw(describe) for _ in range(3)]

    assert [(a.status, a.code) for a in answers] == [
        (500, "InternalError"),
        (403, "UnauthorizedOperation"),
        (409, "Client.Whatever"),
    ]
    assert answers[0].message.startswith("An internal error has occurred.")
    assert answers[1].message == "You are not authorized to perform this operation."
    assert answers[2].message == "custom text"
    assert answers[2].headers["x-amzn-RequestId"] == ec2_registry.calls[2].request_id


def test_fail_after_commit_registers_the_image_then_answers_the_error(raw, ec2_registry):
    fault = ec2_registry.fail("RegisterImage", "InternalError", after_commit=True)

    answer = raw(register_params())

    assert (answer.status, answer.code) == (500, "InternalError")
    [image] = ec2_registry.images.values()
    [call] = ec2_registry.calls
    assert (call.image_id, call.fault, call.status) == (image.image_id, fault, 500)
    assert call.summary() == (
        f"RegisterImage Name=web-1 -> 500 InternalError ({image.image_id} committed) (fault)"
    )


def test_after_commit_fault_waits_for_a_call_that_succeeds(raw, ec2_registry):
    ec2_registry.add_image("web-1")
    fault = ec2_registry.fail("RegisterImage", "InternalError", after_commit=True)

    assert raw(register_params("web-1")).code == "InvalidAMIName.Duplicate"
    assert fault.hits == 0
    assert raw(register_params("web-2")).code == "InternalError"
    assert fault.hits == 1


def test_malformed_requests_are_rejected_before_faults_apply(raw, ec2_registry):
    fault = ec2_registry.fail("RegisterImage", "InternalError")

    answer = raw({**register_params(), "Bogus": "1"})

    assert answer.code == "UnknownParameter"
    assert fault.hits == 0
    assert ec2_registry.calls[0].fault is None


def test_a_fault_with_times_is_shared_exactly_among_parallel_requests(ec2_registry):
    fault = ec2_registry.fail("DescribeImages", "Unavailable", times=3)
    statuses: list[int] = []
    lock = threading.Lock()

    def describe():
        answer = send(
            ec2_registry.endpoint_url, {"Action": "DescribeImages", "Version": "2016-11-15"}
        )
        with lock:
            statuses.append(answer.status)

    threads = [threading.Thread(target=describe) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert sorted(statuses) == [200] * 9 + [503] * 3
    assert fault.hits == 3
    assert sum(c.fault is fault for c in ec2_registry.calls) == 3


def test_reset_cancels_every_fault(raw, ec2_registry):
    fault = ec2_registry.throttle(times=None)
    ec2_registry.reset()
    assert fault.cancelled
    assert fault.remaining == 0
    assert raw(register_params()).status == 200


def test_a_fault_added_through_a_region_view_applies_to_that_region_only(ec2_registry):
    fault = ec2_registry.in_region("eu-west-1").fail("DescribeImages", "Unavailable", times=None)
    everywhere = ec2_registry.fail("DescribeImages", "AuthFailure", times=None)
    single = Config(retries={"mode": "standard", "total_max_attempts": 1})
    home = ec2_registry.client(config=single)
    eu = ec2_registry.client(region_name="eu-west-1", config=single)

    with pytest.raises(ClientError, match="AuthFailure"):
        home.describe_images()
    with pytest.raises(ClientError, match="Unavailable"):
        eu.describe_images()

    assert (fault.hits, everywhere.hits) == (1, 1)
    assert fault.region == "eu-west-1"
    assert everywhere.region is None
    assert fault.describe() == "DescribeImages fail Unavailable (503) always in eu-west-1"


def test_release_answers_held_calls_but_keeps_the_fault(ec2_registry):
    # What the fixture does at teardown, so no request outlives its test by a long delay.
    fault = ec2_registry.delay("DescribeImages", 600)
    thread = threading.Thread(
        target=send,
        args=(ec2_registry.endpoint_url, {"Action": "DescribeImages", "Version": "2016-11-15"}),
    )
    thread.start()
    while fault.hits == 0:
        time.sleep(0.005)
    ec2_registry._state.faults.release()
    thread.join(10)
    assert not thread.is_alive()
    assert not fault.cancelled
    assert fault.remaining is None


# --- state faults -----------------------------------------------------------------------------


def test_fail_image_makes_the_image_available_waiter_raise(ec2, ec2_registry):
    image_id = register(ec2)["ImageId"]

    fault = ec2_registry.fail_image(image_id, "Snapshot copy failed")

    assert fault.hits == 1
    with pytest.raises(WaiterError, match="failure state"):
        ec2.get_waiter("image_available").wait(ImageIds=[image_id])
    [described] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert described["State"] == "failed"
    assert described["StateReason"] == {
        "Code": "Server.InternalError",
        "Message": "Snapshot copy failed",
    }


def test_fail_image_by_name_arms_the_next_registration_of_that_name(ec2, ec2_registry):
    fault = ec2_registry.fail_image("web-2", "bad kernel", code="Client.InvalidKernel")
    assert (fault.hits, fault.remaining) == (0, 1)

    ok = register(ec2, "web-1")["ImageId"]
    doomed = register(ec2, "web-2")["ImageId"]

    assert fault.hits == 1
    ec2.get_waiter("image_available").wait(ImageIds=[ok])
    with pytest.raises(WaiterError):
        ec2.get_waiter("image_available").wait(ImageIds=[doomed])
    image = ec2_registry.assert_registered(name="web-2", state="failed")
    assert (image.state_reason.code, image.state_reason.message) == (
        "Client.InvalidKernel",
        "bad kernel",
    )
    assert ec2_registry.calls.of("RegisterImage")[1].fault is fault


def test_fail_image_with_an_unknown_id_names_the_images_there(ec2_registry):
    ec2_registry.add_image("web-1", image_id="ami-0123456789abcdef0")
    with pytest.raises(KeyError, match=r"ami-0123456789abcdef0 \(web-1\)"):
        ec2_registry.fail_image("ami-00000000000000000")


def test_missing_snapshot_and_manifest_and_duplicate_name_as_boto3_sees_them(ec2, ec2_registry):
    ec2_registry.missing_snapshot(SNAP)
    ec2_registry.missing_manifest("bucket/gone.manifest.xml")
    existing = ec2_registry.duplicate_name("web-1")

    with pytest.raises(ClientError) as no_snapshot:
        register(ec2, "web-2")
    with pytest.raises(ClientError) as no_manifest:
        ec2.register_image(Name="web-3", ImageLocation="bucket/gone.manifest.xml")
    ec2_registry.add_snapshot(SNAP)
    with pytest.raises(ClientError) as duplicate:
        register(ec2, "web-1")

    assert no_snapshot.value.response["Error"]["Code"] == "InvalidSnapshot.NotFound"
    assert no_manifest.value.response["Error"]["Code"] == "InvalidManifest"
    assert duplicate.value.response["Error"] == {
        "Code": "InvalidAMIName.Duplicate",
        "Message": f"AMI name web-1 is already in use by AMI {existing.image_id}",
    }


def test_strict_references_reject_an_undeclared_snapshot(ec2, ec2_registry):
    ec2_registry.strict = True
    with pytest.raises(ClientError) as raised:
        register(ec2)
    assert raised.value.response["Error"]["Code"] == "InvalidSnapshot.NotFound"
    ec2_registry.add_snapshot(SNAP)
    register(ec2)


# --- the Fault handle and argument checks --------------------------------------------------------


def test_fault_repr_and_describe_say_what_it_does(ec2_registry):
    fault = ec2_registry.throttle(times=2, when={"Name": "web-1"})
    assert isinstance(fault, Fault)
    assert repr(fault) == (
        "<Fault RegisterImage fail RequestLimitExceeded (503) x2 when {Name='web-1'}: "
        "hits=0, remaining=2>"
    )
    always = ec2_registry.delay("DescribeImages", 1.5)
    always.cancel()
    assert repr(always) == (
        "<Fault DescribeImages delay 1.5s always: hits=0, remaining=0, cancelled>"
    )
    lost = ec2_registry.disconnect(after_commit=True)
    assert lost.describe() == "RegisterImage disconnect no answer x1 after commit"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda r: r.fail("RegisterImages", "X"), ValueError, "'RegisterImages' is not an action"),
        (lambda r: r.fail("RegisterImage", "X", times=0), ValueError, "times must be at least 1"),
        (lambda r: r.fail("RegisterImage", "X", times="2"), TypeError, "times must be a whole"),
        (lambda r: r.fail("RegisterImage", "X", status=200), ValueError, r"400-599\), got 200"),
        (lambda r: r.fail("RegisterImage", ""), TypeError, "code must be an EC2 error code"),
        (
            lambda r: r.fail("RegisterImage", "X", when={"ImageIds": "ami-1"}),
            ValueError,
            "'ImageIds' is not a RegisterImage wire parameter",
        ),
        (
            lambda r: r.fail("RegisterImage", "X", when={"Name": 1.5}),
            TypeError,
            "must be str, int or bool",
        ),
        (lambda r: r.fail("RegisterImage", "X", when={}), ValueError, "matches every call"),
        (lambda r: r.fail("RegisterImage", "X", when="Name"), TypeError, "dict of wire"),
        (lambda r: r.delay("RegisterImage", -1), ValueError, "seconds must be from 0"),
        (lambda r: r.disconnect(times=-1), ValueError, "times must be at least 1"),
        (lambda r: r.fail_image("bad name!"), Exception, "AMI names must be"),
    ],
)
def test_fault_arguments_are_checked_when_the_fault_is_added(ec2_registry, call, error, match):
    with pytest.raises(error, match=match):
        call(ec2_registry)
    assert not ec2_registry._state.faults


def test_when_accepts_indexed_wire_names(raw, ec2_registry):
    ec2_registry.fail(
        "RegisterImage",
        "InvalidBlockDeviceMapping",
        when={"BlockDeviceMapping.1.Ebs.SnapshotId": SNAP},
    )
    assert raw(register_params()).code == "InvalidBlockDeviceMapping"


def test_an_always_fault_counts_every_hit_and_never_runs_out(ec2_registry):
    # The handle's counters are what a test without boto3 would assert on.
    client = boto3.client(
        "ec2",
        endpoint_url=ec2_registry.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    fault = ec2_registry.fail("DescribeImages", "Unavailable", times=None)
    for _ in range(3):
        with pytest.raises(ClientError):
            client.describe_images()
    assert fault.hits == 3
    assert fault.remaining is None


def test_injected_error_without_a_message_answers_aws_description(ec2, ec2_registry):
    ec2_registry.fail("RegisterImage", "InvalidAMIName.Duplicate")
    with pytest.raises(ClientError) as caught:
        register(ec2, "web-1")
    assert caught.value.response["Error"]["Message"] == (
        "The specified AMI name is already in use by another AMI."
    )
