"""An exception inside the fake while it serves a test answers InternalError (500) on the wire,
and the test then fails at teardown with the original traceback: never silently."""

from __future__ import annotations

# Breaks DescribeImages for the duration of one inner test (monkeypatch restores it).
BROKEN_HANDLER = """
import urllib.error
import urllib.request

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_ec2image.actions import describe_images


def describe(registry):
    request = urllib.request.Request(
        registry.endpoint_url + "/",
        data=b"Action=DescribeImages&Version=2016-11-15",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def broken(monkeypatch):
    def exploding_handler(state, ctx, out):
        return 1 / 0

    monkeypatch.setattr(describe_images, "describe_images", exploding_handler)
"""


def test_an_internal_error_answers_500_and_fails_the_test_at_teardown(pytester):
    pytester.makepyfile(
        BROKEN_HANDLER
        + """
def test_describe(ec2_registry, broken):
    status, body = describe(ec2_registry)
    assert status == 500
    assert b"<Code>InternalError</Code>" in body
    assert b"An internal error has occurred" in body
    assert b"ZeroDivisionError" not in body  # no traceback on the wire
    [call] = ec2_registry.calls
    assert (call.status, call.error_code) == (500, "InternalError")
    assert "ZeroDivisionError" in call.error_message
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_describe*",
            "pytest-ec2image hit 1 internal error(s) while serving this test; the client got "
            "InternalError (500).",
            "--- while serving DescribeImages:",
            "Traceback (most recent call last):",
            "*in exploding_handler",
            "    return 1 / 0",
            "*ZeroDivisionError: division by zero",
            "*- ec2-registry calls -*",
            "DescribeImages -> 500 InternalError",
        ]
    )


def test_a_test_that_swallows_the_client_error_still_fails(pytester):
    pytester.makepyfile(
        BROKEN_HANDLER
        + """
def test_tolerant_code(ec2_registry, broken):
    ec2 = ec2_registry.client(config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
    with pytest.raises(ClientError, match="InternalError"):
        ec2.describe_images()
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    # botocore retried the 500 once: both attempts are reported.
    result.stdout.fnmatch_lines(
        ["pytest-ec2image hit 2 internal error(s) while serving this test*"]
    )


def test_a_when_callable_that_raises_fails_the_test_naming_the_fault(pytester):
    pytester.makepyfile(
        BROKEN_HANDLER
        + """
def by_owner(call):
    return call.params["Owner.1"] == "self"


def test_matcher_bug(ec2_registry):
    ec2_registry.fail("DescribeImages", "Unavailable", when=by_owner)
    status, body = describe(ec2_registry)
    assert status == 500
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "--- while serving DescribeImages:",
            "*in by_owner",
            "*KeyError: 'Owner.1'",
            "*FaultMatcherError: the when= callable of <Fault DescribeImages fail Unavailable "
            "(503) x1 when by_owner(): hits=0, remaining=1> raised KeyError: 'Owner.1'",
        ]
    )


def test_a_failure_while_answering_is_caught_too(pytester):
    pytester.makepyfile(
        BROKEN_HANDLER
        + """
from pytest_ec2image.store import RegistryState


def test_log_breaks(ec2_registry, monkeypatch):
    def broken_log(self, call):
        raise RuntimeError("log is full")

    monkeypatch.setattr(RegistryState, "record_call", broken_log)
    status, body = describe(ec2_registry)
    assert status == 500
    assert b"<Code>InternalError</Code>" in body
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["--- while serving (answering a request):", "*RuntimeError: log is full"]
    )


def test_a_clean_test_has_no_teardown_error(pytester):
    pytester.makepyfile(
        BROKEN_HANDLER
        + """
def test_fine(ec2_registry):
    assert describe(ec2_registry)[0] == 200
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)
