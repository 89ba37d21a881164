"""The ec2_registry and ec2_fault markers, their usage errors, strict mode by ini, and the
``ec2-registry calls`` report section, seen from a pytest run (pytester)."""

from __future__ import annotations

import pytest

# A client that does not retry, so an injected error reaches the inner test at once.
HEADER = """
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

SNAP = "snap-0123456789abcdef0"


def client(registry):
    return registry.client(config=Config(retries={"mode": "standard", "total_max_attempts": 1}))


def register(ec2, name="web-1"):
    return ec2.register_image(
        Name=name,
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
    )["ImageId"]


def code_of(call):
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return None
"""


def test_markers_are_registered_with_their_signatures(pytester):
    result = pytester.runpytest("--markers")
    assert result.ret == 0
    lines = result.stdout.lines
    assert any(
        line.startswith(
            "@pytest.mark.ec2_registry(strict=False, region=..., account_id=..., "
            "pending_describes=0, deregistered_describes=0, images=[], snapshots=[], manifests=[]"
        )
        for line in lines
    )
    assert (
        "@pytest.mark.ec2_fault(action, code, message=None, *, status=None, times=1, "
        "when=None, after_commit=False): inject an EC2 error, as Ec2Registry.fail(); stackable."
    ) in lines


def test_the_registry_marker_configures_the_test_registry(pytester):
    pytester.makepyfile(
        HEADER
        + """
pytestmark = pytest.mark.ec2_registry(region="eu-west-1", pending_describes=2)


@pytest.mark.ec2_registry(
    strict=True,
    account_id="111122223333",
    snapshots=[{"snapshot_id": SNAP, "size": 20}],
    images=[{"name": "base", "architecture": "x86_64"}],
)
def test_configured(ec2_registry):
    assert ec2_registry.region == "eu-west-1"  # from the module
    assert ec2_registry.strict is True
    assert ec2_registry.account_id == "111122223333"
    assert ec2_registry.pending_describes == 2
    assert ec2_registry.snapshots[SNAP].size == 20
    ec2_registry.assert_registered(name="base", owner_id="111122223333")


@pytest.mark.ec2_registry(region="ap-south-1", pending_describes=0)
def test_closest_marker_wins(ec2_registry):
    assert (ec2_registry.region, ec2_registry.pending_describes) == ("ap-south-1", 0)
    assert ec2_registry.strict is False
"""
    )
    pytester.runpytest("-W", "error").assert_outcomes(passed=2)


def test_fault_markers_stack_in_reading_order(pytester):
    pytester.makepyfile(
        HEADER
        + """
pytestmark = pytest.mark.ec2_fault("DescribeImages", "Module")


class TestBake:
    pytestmark = [pytest.mark.ec2_fault("DescribeImages", "Class")]

    @pytest.mark.ec2_fault("DescribeImages", "Top")
    @pytest.mark.ec2_fault("DescribeImages", "Bottom", times=2)
    def test_order(self, ec2_registry):
        ec2 = client(ec2_registry)
        codes = [code_of(ec2.describe_images) for _ in range(6)]
        assert codes == ["Module", "Class", "Top", "Bottom", "Bottom", None]
"""
    )
    pytester.runpytest("-W", "error").assert_outcomes(passed=1)


def test_the_fault_marker_takes_the_arguments_of_fail(pytester):
    pytester.makepyfile(
        HEADER
        + """
@pytest.mark.ec2_fault("RegisterImage", "InvalidAMIName.Duplicate", when={"Name": "web-2"})
@pytest.mark.ec2_fault("DescribeImages", "Teapot", "short and stout", status=418, times=None)
@pytest.mark.ec2_fault("RegisterImage", "InternalError", after_commit=True, when={"Name": "web-3"})
def test_arguments(ec2_registry):
    ec2 = client(ec2_registry)
    register(ec2, "web-1")
    assert code_of(lambda: register(ec2, "web-2")) == "InvalidAMIName.Duplicate"
    assert code_of(lambda: register(ec2, "web-3")) == "InternalError"
    ec2_registry.assert_registered(name="web-3")
    for _ in range(2):
        try:
            ec2.describe_images()
        except ClientError as error:
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 418
            assert error.response["Error"]["Message"] == "short and stout"
    assert [c.fault is not None for c in ec2_registry.calls] == [False, True, True, True, True]
"""
    )
    pytester.runpytest("-W", "error").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            '@pytest.mark.ec2_fault("RegisterImage")',
            "@pytest.mark.ec2_fault('RegisterImage'): missing a required argument: 'code'",
        ),
        (
            '@pytest.mark.ec2_fault("RegisterImage", "X", retries=2)',
            "@pytest.mark.ec2_fault('RegisterImage', 'X', retries=2): "
            "got an unexpected keyword argument 'retries'",
        ),
        (
            '@pytest.mark.ec2_fault("RegisterImages", "X")',
            "@pytest.mark.ec2_fault('RegisterImages', 'X'): 'RegisterImages' is not an action "
            "the fake serves*",
        ),
        (
            '@pytest.mark.ec2_fault("RegisterImage", "X", times=0)',
            "*: times must be at least 1, or None (always), got 0",
        ),
        (
            '@pytest.mark.ec2_fault("RegisterImage", "X", when={"Nmae": "web-1"})',
            "*: when={'Nmae': ...}: 'Nmae' is not a RegisterImage wire parameter*",
        ),
        (
            "@pytest.mark.ec2_registry(strictly=True)",
            "@pytest.mark.ec2_registry(strictly=True): got an unexpected keyword argument "
            "'strictly'",
        ),
        (
            '@pytest.mark.ec2_registry(strict="yes")',
            "@pytest.mark.ec2_registry(strict='yes'): strict must be bool, got 'yes'",
        ),
        (
            "@pytest.mark.ec2_registry(pending_describes=-1)",
            "*: pending_describes must be >= 0, got -1",
        ),
        (
            '@pytest.mark.ec2_registry(images={"name": "web-1"})',
            "*: images must be a list of dicts (keyword arguments), got {'name': 'web-1'}",
        ),
    ],
    ids=[
        "fault-missing-code",
        "fault-unknown-kw",
        "fault-unknown-action",
        "fault-bad-times",
        "fault-bad-when",
        "registry-unknown-kw",
        "registry-bad-type",
        "registry-bad-value",
        "registry-bad-list",
    ],
)
def test_marker_misuse_is_a_usage_error(pytester, marker, message):
    pytester.makepyfile(
        f"""
import pytest

def test_fine(ec2_registry):
    pass

{marker}
def test_misused(ec2_registry):
    pass
"""
    )
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: test_marker_misuse_is_a_usage_error.py::test_misused: {message}"]
    )


def test_misuse_in_a_deselected_test_does_not_stop_the_run(pytester):
    pytester.makepyfile(
        """
import pytest

def test_fine(ec2_registry):
    pass

@pytest.mark.ec2_fault("RegisterImage")
def test_misused(ec2_registry):
    pass
"""
    )
    pytester.runpytest("-k", "fine").assert_outcomes(passed=1, deselected=1)


def test_misuse_under_xdist_errors_the_test_with_the_same_message(pytester):
    pytester.makepyfile(
        """
import pytest

@pytest.mark.ec2_fault("RegisterImage")
def test_misused(ec2_registry):
    pass
"""
    )
    result = pytester.runpytest("-n", "1")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            # Older pytest (7.4, 8.0) prints it as _pytest.config.exceptions.UsageError.
            "E   *UsageError: test_misuse_under_xdist_errors_the_test_with_the_same_"
            "message.py::test_misused: @pytest.mark.ec2_fault('RegisterImage'): missing a "
            "required argument: 'code'"
        ]
    )


def test_strict_references_by_ini_and_by_marker(pytester):
    pytester.makeini("[pytest]\nec2_registry_strict = true\n")
    pytester.makepyfile(
        HEADER
        + """
def test_strict_from_ini(ec2_registry):
    assert ec2_registry.strict is True
    assert code_of(lambda: register(client(ec2_registry))) == "InvalidSnapshot.NotFound"
    ec2_registry.add_snapshot(SNAP)
    register(client(ec2_registry))


@pytest.mark.ec2_registry(strict=False)
def test_marker_overrides_ini(ec2_registry):
    register(client(ec2_registry))
"""
    )
    pytester.runpytest("-W", "error").assert_outcomes(passed=2)


# --- the failure report section ---------------------------------------------------------------


def test_a_failing_test_gets_the_calls_section(pytester):
    pytester.makepyfile(
        HEADER
        + """
@pytest.mark.ec2_fault("RegisterImage", "InvalidAMIName.Duplicate", "taken")
def test_bake(ec2_registry):
    ec2 = client(ec2_registry)
    ec2.describe_images(Owners=["self"])
    assert code_of(lambda: register(ec2)) is None


def test_passing(ec2_registry):
    client(ec2_registry).describe_images()
"""
    )
    result = pytester.runpytest("-rA")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*- ec2-registry calls -*",
            "DescribeImages Owner.1=self -> 200",
            "RegisterImage Name=web-1 -> 400 InvalidAMIName.Duplicate (fault)",
            "*short test summary info*",
        ]
    )
    assert result.stdout.str().count("ec2-registry calls") == 1


def test_the_section_explains_a_fault_that_never_fired(pytester):
    pytester.makepyfile(
        HEADER
        + """
def test_bake(ec2_registry):
    ec2_registry.fail("RegisterImage", "InvalidAMIName.Duplicate", when={"Name": "web-2"})
    assert code_of(lambda: register(client(ec2_registry), "web-1")) == "InvalidAMIName.Duplicate"
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- ec2-registry calls -*",
            "RegisterImage Name=web-1 -> 200 ami-*",
            "",
            "faults that did not fire as asked:",
            "fault fired 0 of 1 time(s): RegisterImage fail InvalidAMIName.Duplicate (400) x1 "
            "when {Name='web-2'}",
            "  RegisterImage Name=web-1 -> 200 ami-*: Name='web-1', wanted 'web-2'",
        ]
    )


def test_the_section_says_when_a_fault_came_too_late(pytester):
    pytester.makepyfile(
        HEADER
        + """
def test_bake(ec2_registry):
    ec2 = client(ec2_registry)
    register(ec2)
    ec2_registry.throttle()
    assert False
"""
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            "fault fired 0 of 1 time(s): RegisterImage fail RequestLimitExceeded (503) x1",
            "  RegisterImage Name=web-1 -> 200 ami-*: made before the fault was added",
        ]
    )


def test_a_test_without_the_fixture_gets_no_section(pytester):
    pytester.makepyfile("def test_plain():\n    assert False\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    assert "ec2-registry calls" not in result.stdout.str()


def test_importing_the_plugin_registers_rewriting_without_loading_the_registry(pytester):
    pytester.makepyfile(
        """
import sys

def test_lazy():
    import pytest_ec2image.plugin
    assert "pytest_ec2image.registry" not in sys.modules


def test_rewritten(ec2_registry):
    import pytest_ec2image.registry as registry
    assert type(registry.__loader__).__name__ == "AssertionRewritingHook"
"""
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=2)
