"""ini configuration: ``ec2_registry_strict``, ``_region``, ``_account_id``, ``_autowire``; bad
values are usage errors; precedence is marker > command line (``-o``) > ini file."""

from __future__ import annotations

import pytest

#: See tests/test_seed.py: keeps each in-process run from re-importing hypothesis.
INNER = ("-p", "no:hypothesispytest")

REGISTERS_UNDECLARED_SNAPSHOT = """
import boto3
import pytest
from botocore.exceptions import ClientError

def register():
    return boto3.client("ec2").register_image(
        Name="web-1",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1",
                              "Ebs": {"SnapshotId": "snap-0123456789abcdef0"}}],
    )

def test_ini_decides(ec2_registry):
    try:
        register()
    except ClientError as error:
        print("OUTCOME", error.response["Error"]["Code"])
    else:
        print("OUTCOME registered")

@pytest.mark.ec2_registry(strict=False)
def test_marker_lenient(ec2_registry):
    register()

@pytest.mark.ec2_registry(strict=True)
def test_marker_strict(ec2_registry):
    with pytest.raises(ClientError, match="InvalidSnapshot.NotFound"):
        register()
"""


def outcome(result: pytest.RunResult) -> list[str]:
    # With -s a test's output follows its file name on the same line.
    return [line.split("OUTCOME ", 1)[1] for line in result.outlines if "OUTCOME " in line]


def test_default_is_lenient(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(REGISTERS_UNDECLARED_SNAPSHOT)
    result = pytester.runpytest(*INNER, "-s")
    result.assert_outcomes(passed=3)
    assert outcome(result) == ["registered"]


def test_ini_strict_and_marker_override(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nec2_registry_strict = true\n")
    pytester.makepyfile(REGISTERS_UNDECLARED_SNAPSHOT)
    result = pytester.runpytest(*INNER, "-s")
    result.assert_outcomes(passed=3)
    assert outcome(result) == ["InvalidSnapshot.NotFound"]


def test_command_line_overrides_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nec2_registry_strict = true\n")
    pytester.makepyfile(REGISTERS_UNDECLARED_SNAPSHOT)
    result = pytester.runpytest(*INNER, "-s", "-o", "ec2_registry_strict=false")
    result.assert_outcomes(passed=3)
    assert outcome(result) == ["registered"]


REGION_AND_ACCOUNT = """
import os
import boto3
import pytest

def test_from_ini(ec2_registry):
    assert (ec2_registry.region, ec2_registry.account_id) == ("eu-west-3", "210987654321")
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-3"
    ec2 = boto3.client("ec2")
    image_id = ec2.register_image(Name="web-1", ImageLocation="bucket/web.manifest.xml")["ImageId"]
    [image] = ec2.describe_images(Owners=["self"])["Images"]
    assert (image["ImageId"], image["OwnerId"]) == (image_id, "210987654321")
    assert ec2_registry.images[image_id].region == "eu-west-3"

@pytest.mark.ec2_registry(region="ap-south-1", account_id="111122223333")
def test_marker_wins(ec2_registry):
    assert (ec2_registry.region, ec2_registry.account_id) == ("ap-south-1", "111122223333")
    assert os.environ["AWS_DEFAULT_REGION"] == "ap-south-1"
"""


def test_ini_region_and_account_id(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nec2_registry_region = eu-west-3\nec2_registry_account_id = 210987654321\n"
    )
    pytester.makepyfile(REGION_AND_ACCOUNT)
    pytester.runpytest(*INNER).assert_outcomes(passed=2)


AUTOWIRE = """
import os

def test_env(ec2_registry):
    print("ENDPOINT", os.environ.get("AWS_ENDPOINT_URL_EC2"))
    print("KEY", os.environ.get("AWS_ACCESS_KEY_ID"))
    print("PROFILE", os.environ.get("AWS_PROFILE"))
"""


def test_autowire_sets_and_restores_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "my-real-profile")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALREALREAL1234")
    monkeypatch.delenv("AWS_ENDPOINT_URL_EC2", raising=False)
    pytester.makepyfile(AUTOWIRE)
    result = pytester.runpytest(*INNER, "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*ENDPOINT http://127.0.0.1:*", "KEY AKIAIOSFODNN7EXAMPLE", "PROFILE None"]
    )
    import os

    assert os.environ["AWS_PROFILE"] == "my-real-profile"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALREALREAL1234"
    assert "AWS_ENDPOINT_URL_EC2" not in os.environ


def test_autowire_off_leaves_the_environment_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "my-real-profile")
    monkeypatch.delenv("AWS_ENDPOINT_URL_EC2", raising=False)
    pytester.makeini("[pytest]\nec2_registry_autowire = false\n")
    pytester.makepyfile(AUTOWIRE)
    result = pytester.runpytest(*INNER, "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*ENDPOINT None", "KEY *", "PROFILE my-real-profile"])


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        (
            "ec2_registry_account_id = 12345",
            "*ini option ec2_registry_account_id: '12345' is not an AWS account id (12 digits)*",
        ),
        ("ec2_registry_strict = maybe", "*ini option ec2_registry_strict: *'maybe'*"),
        ("ec2_registry_autowire = perhaps", "*ini option ec2_registry_autowire: *'perhaps'*"),
        ("ec2_registry_region =", "*ini option ec2_registry_region: empty region name*"),
    ],
)
def test_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester, ini: str, message: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_x(ec2_registry): pass")
    result = pytester.runpytest(*INNER)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_options_and_ini_keys_are_documented_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*INNER, "--help")
    result.stdout.fnmatch_lines(
        [
            "*--ec2-registry-seed=INT*",
            "*--ec2-registry-data=PATH*",
            "*ec2_registry_seed*",
            "*ec2_registry_data*",
            "*ec2_registry_strict*",
            "*ec2_registry_region*",
            "*ec2_registry_account_id*",
            "*ec2_registry_autowire*",
        ]
    )
