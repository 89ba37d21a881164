"""``--ec2-registry-data=PATH`` / ini ``ec2_registry_data``: a JSON file of images, snapshots
and manifests preloaded into every test's registry; a bad file is a usage error naming the file
and the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_ec2image.datafile import DataFileError, load_data, merge

INNER = ("-p", "no:hypothesispytest")  # see tests/test_seed.py

DATA = {
    "snapshots": [{"snapshot_id": "snap-0aaaaaaaaaaaaaaa1", "size": 30, "encrypted": True}],
    "manifests": [{"location": "my-bucket/base.manifest.xml"}],
    "images": [
        {
            "name": "golden-base",
            "architecture": "x86_64",
            "root_device_name": "/dev/xvda",
            "block_device_mappings": [
                {"device_name": "/dev/xvda", "ebs": {"snapshot_id": "snap-0aaaaaaaaaaaaaaa1"}}
            ],
            "tags": {"team": "platform"},
            "creation_date": "2026-01-01T00:00:00.000Z",
        }
    ],
}

USES_PRELOAD = """
import boto3
import pytest

def test_first(ec2_registry):
    image = ec2_registry.assert_registered(name="golden-base", architecture="x86_64")
    assert image.tags == {"team": "platform"}
    assert image.creation_date == "2026-01-01T00:00:00.000Z"
    snapshot = ec2_registry.snapshots["snap-0aaaaaaaaaaaaaaa1"]
    assert (snapshot.size, snapshot.encrypted) == (30, True)
    assert "my-bucket/base.manifest.xml" in ec2_registry.manifests
    [described] = boto3.client("ec2").describe_images(Owners=["self"])["Images"]
    assert described["Name"] == "golden-base"
    ec2_registry.add_image("scratch")

def test_second_sees_a_fresh_copy(ec2_registry):
    assert [i.name for i in ec2_registry.images.values()] == ["golden-base"]

@pytest.mark.ec2_registry(
    images=[{"name": "golden-base", "architecture": "arm64"}, {"name": "extra"}],
)
def test_marker_entry_replaces_the_files(ec2_registry):
    names = {i.name: i.architecture for i in ec2_registry.images.values()}
    assert names == {"golden-base": "arm64", "extra": "i386"}

def test_reset_keeps_the_preload(ec2_registry):
    ec2_registry.add_image("scratch")
    ec2_registry.reset()
    assert [i.name for i in ec2_registry.images.values()] == ["golden-base"]
"""


def test_command_line_data_file_preloads_every_test(pytester: pytest.Pytester) -> None:
    pytester.mkdir("fixtures").joinpath("preload.json").write_text(json.dumps(DATA))
    pytester.makepyfile(USES_PRELOAD)
    result = pytester.runpytest(*INNER, "--ec2-registry-data=fixtures/preload.json")
    result.assert_outcomes(passed=4)


def test_ini_data_file_is_relative_to_the_ini_file(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\nec2_registry_data = fixtures/preload.json\n")
    pytester.mkdir("fixtures").joinpath("preload.json").write_text(json.dumps(DATA))
    tests = pytester.mkdir("tests")
    tests.joinpath("test_preload.py").write_text(USES_PRELOAD)
    monkeypatch.chdir(tests)  # the path must not depend on where pytest is started
    result = pytester.runpytest(*INNER)
    result.assert_outcomes(passed=4)


def test_command_line_data_file_wins_over_the_ini_one(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nec2_registry_data = missing.json\n")
    pytester.path.joinpath("preload.json").write_text(json.dumps(DATA))
    pytester.makepyfile(USES_PRELOAD)
    result = pytester.runpytest(*INNER, "--ec2-registry-data", "preload.json")
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "No such file or directory"),
        ("{not json", "invalid JSON: Expecting property name*line 1 column 2*"),
        ("[]", "expected a JSON object with keys 'images', 'manifests', 'snapshots', got list"),
        ('{"images": [], "amis": []}', "unknown key(s) 'amis'*"),
        ('{"images": {"name": "x"}}', "'images' must be a list of objects, got dict"),
        (
            '{"snapshots": ["snap-0aaaaaaaaaaaaaaa1"]}',
            "snapshots[[]0[]] must be an object, got str",
        ),
        ('{"images": [{"name": "ok-1"}, {"name": "x"}]}', "images[[]1[]]: *InvalidAMIName*"),
        (
            '{"images": [{"name": "web", "colour": "red"}]}',
            "images[[]0[]]: add_image() got unknown fields: colour",
        ),
        ('{"images": [{"name": "web"}, {"name": "web"}]}', "images[[]1[]]: AMI name web is*"),
        ('{"images": [{"architecture": "x86_64"}]}', "images[[]0[]]: *'name'*"),
        ('{"snapshots": [{"snapshot_id": "snap-xyz"}]}', "snapshots[[]0[]]: 'snap-xyz' is not*"),
        ('{"manifests": [{"content": "<x/>"}]}', "manifests[[]0[]]: *'location'*"),
    ],
)
def test_bad_data_file_is_a_usage_error_naming_file_and_problem(
    pytester: pytest.Pytester, content: str | None, problem: str
) -> None:
    path = pytester.path / "preload.json"
    if content is not None:
        path.write_text(content)
    pytester.makepyfile("def test_x(ec2_registry): pass")
    result = pytester.runpytest(*INNER, f"--ec2-registry-data={path.name}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: ec2-registry data file {path}: {problem}"])


def test_bad_ini_data_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nec2_registry_data = preload.json\n")
    pytester.path.joinpath("preload.json").write_text('{"images": [{"name": "x"}]}')
    pytester.makepyfile("def test_x(ec2_registry): pass")
    result = pytester.runpytest(*INNER)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*data file {pytester.path / 'preload.json'}: images[[]0[]]*"])


def test_data_file_is_checked_in_the_ini_account(tmp_path: Path) -> None:
    """An image owned by the configured account clashes with a same-name one in that
    account only."""
    path = tmp_path / "data.json"
    path.write_text(
        json.dumps({"images": [{"name": "web"}, {"name": "web", "owner_id": "111122223333"}]})
    )
    assert len(load_data(path, account_id="210987654321")["images"]) == 2
    path.write_text(
        json.dumps({"images": [{"name": "web"}, {"name": "web", "owner_id": "210987654321"}]})
    )
    with pytest.raises(DataFileError, match=r"images\[1\]: AMI name web is already in use"):
        load_data(path, account_id="210987654321")


def test_merge_replaces_entries_for_the_same_thing() -> None:
    base = load_data_dict(
        snapshots=[{"snapshot_id": "snap-0aaaaaaaaaaaaaaa1", "size": 8}],
        manifests=[{"location": "b/m.manifest.xml"}],
        images=[{"name": "web"}, {"name": "db", "image_id": "ami-0123456789abcdef0"}],
    )
    merged = merge(
        base,
        {
            "snapshots": [{"snapshot_id": "snap-0aaaaaaaaaaaaaaa1", "size": 50}],
            "images": [{"name": "db-2", "image_id": "ami-0123456789abcdef0"}, {"name": "new"}],
        },
    )
    assert merged["snapshots"] == [{"snapshot_id": "snap-0aaaaaaaaaaaaaaa1", "size": 50}]
    assert merged["manifests"] == base["manifests"]
    assert [i["name"] for i in merged["images"]] == ["web", "db-2", "new"]
    assert [i["name"] for i in base["images"]] == ["web", "db"]  # the base is not changed


def load_data_dict(**kinds: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    return {"snapshots": [], "manifests": [], "images": [], **kinds}


def test_the_data_file_preloads_the_pipelines_state(tmp_path):
    """Sharing, deprecation, protection and disabled images, and shared snapshots, come from
    the data file too (SPEC 4.7's last point): the same keywords as add_image/add_snapshot."""
    path = tmp_path / "pipeline.json"
    path.write_text(
        json.dumps(
            {
                "snapshots": [
                    {
                        "snapshot_id": "snap-0aaaaaaaaaaaaaaa2",
                        "create_volume_permissions": ["210987654321", "all"],
                    }
                ],
                "images": [
                    {
                        "name": "shared-base",
                        "launch_permissions": ["210987654321", "all"],
                        "deprecation_time": "2030-01-01T00:00:00.000Z",
                        "deregistration_protection": "enabled-with-cooldown",
                    },
                    {"name": "retired", "state": "disabled"},
                ],
            }
        )
    )
    preload = load_data(path)
    from pytest_ec2image import Ec2Registry

    registry = Ec2Registry(seed=1, **preload)
    shared = registry.assert_registered(name="shared-base")
    assert (shared.public, shared.launch_permissions) == (True, ("210987654321",))
    assert shared.deregistration_protection == "enabled-with-cooldown"
    assert registry.assert_registered(name="retired").state == "disabled"
    snapshot = registry.snapshots["snap-0aaaaaaaaaaaaaaa2"]
    assert (snapshot.public, snapshot.create_volume_permissions) == (True, ("210987654321",))


def test_a_bad_sharing_entry_names_the_entry(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"images": [{"name": "web", "launch_permissions": ["nobody"]}]}))
    with pytest.raises(DataFileError, match=r"images\[0\]: launch_permissions: 'nobody' is not"):
        load_data(path)
