"""A real EC2 action the fake lacks: InvalidAction that names the fake, and a test warning."""

from __future__ import annotations

import warnings

import pytest
from botocore.exceptions import ClientError

from pytest_ec2image import UnimplementedActionWarning
from pytest_ec2image.actions import ACTIONS
from pytest_ec2image.actions.unimplemented import EC2_ACTIONS
from pytest_ec2image.plugin import warn_unimplemented


def test_the_answer_says_the_fake_does_not_implement_it(ec2, ec2_registry):
    with pytest.raises(ClientError) as raised:
        ec2.describe_instances()
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidAction"
    assert error["Message"].startswith(
        "pytest-ec2image does not implement the EC2 action DescribeInstances (AWS has it; "
        "the fake serves CopyImage, CreateTags, "
    )
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    [call] = ec2_registry.calls
    assert (call.action, call.error_code) == ("DescribeInstances", "InvalidAction")
    with pytest.warns(UnimplementedActionWarning, match="DescribeInstances once"):
        warn_unimplemented(ec2_registry)


def test_one_warning_per_action_with_its_count(ec2, ec2_registry):
    for _ in range(2):
        with pytest.raises(ClientError):
            ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1)
    with pytest.raises(ClientError):
        ec2.create_image(InstanceId="i-0123456789abcdef0", Name="web-1")
    with pytest.warns(UnimplementedActionWarning) as record:
        warn_unimplemented(ec2_registry)
    assert [str(w.message) for w in record] == [
        "the test called the EC2 action RunInstances 2 times; pytest-ec2image does not "
        "implement it and answered InvalidAction",
        "the test called the EC2 action CreateImage once; pytest-ec2image does not "
        "implement it and answered InvalidAction",
    ]
    # Warned once: the teardown has nothing left to say.
    with warnings.catch_warnings(record=True) as later:
        warnings.simplefilter("always")
        warn_unimplemented(ec2_registry)
    assert later == []


def test_a_name_ec2_does_not_have_keeps_aws_answer_and_no_warning(raw, ec2_registry):
    answer = raw({"Action": "DescribeImage", "Version": "2016-11-15"})
    assert (answer.status, answer.code) == (400, "InvalidAction")
    assert answer.message == "The action DescribeImage is not valid for this web service."
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warn_unimplemented(ec2_registry)
    assert seen == []


def test_every_served_action_is_a_real_one():
    assert set(ACTIONS) <= EC2_ACTIONS
    assert {"RunInstances", "CreateImage", "DescribeInstances"} <= EC2_ACTIONS
    assert len(EC2_ACTIONS) > 700


def test_the_fixture_warns_at_teardown(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest
        from botocore.exceptions import ClientError

        def test_swallows_the_error(ec2_registry):
            client = ec2_registry.client()
            try:
                client.describe_instances()
            except ClientError:
                pass  # code under test that hides the failure
        """
    )
    # In-process runs inherit this suite's "error" filter; each run states its own.
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-W", "default::pytest_ec2image.UnimplementedActionWarning"
    )
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*UnimplementedActionWarning: the test called the EC2 action DescribeInstances "
            "once; pytest-ec2image does not implement it*",
        ]
    )
    strict = pytester.runpytest(
        "-p", "no:cacheprovider", "-W", "error::pytest_ec2image.UnimplementedActionWarning"
    )
    strict.assert_outcomes(passed=1, errors=1)
