"""A small downstream test module, written into ``pytester`` projects by the seed, xdist and
data-file tests: each of its tests records the ids it got (image, snapshot and request ids,
creation dates, the worker and endpoint that served it) in ``<out>/<test name>.json``."""

from __future__ import annotations

import json
from pathlib import Path

TEMPLATE = """
import json
import os
import re
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import pytest

OUT = {out!r}


def register(registry, name, version="2016-11-15"):
    params = {{
        "Action": "RegisterImage",
        "Version": version,
        "Name": name,
        "RootDeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.DeviceName": "/dev/sda1",
        "BlockDeviceMapping.1.Ebs.SnapshotId": "snap-0123456789abcdef0",
    }}
    body = urllib.parse.urlencode(params).encode()
    with urllib.request.urlopen(registry.endpoint_url + "/", body, timeout=10) as answer:
        text = answer.read().decode()
    return re.search("<imageId>(.*?)</imageId>", text).group(1)


def record(request, registry, **ids):
    ids["requests"] = [call.request_id for call in registry.calls]
    ids["preloaded"] = sorted(registry.images)
    ids["worker"] = os.environ.get("PYTEST_XDIST_WORKER", "serial")
    ids["endpoint"] = registry.endpoint_url
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.nodeid)
    with open(os.path.join(OUT, name + ".json"), "w") as out:
        json.dump(ids, out)


{tests}
"""

#: Test functions by name; a project picks some, in any order.
TESTS = {
    "alpha": """
def test_alpha(ec2_registry, request):
    snapshot = ec2_registry.add_snapshot().snapshot_id
    image = register(ec2_registry, "alpha-1")
    second = register(ec2_registry, "alpha-2", version="2009-10-31")
    record(request, ec2_registry, snapshot=snapshot, images=[image, second])
""",
    "beta": """
def test_beta(ec2_registry, request):
    ec2_registry.clock = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
    image = register(ec2_registry, "beta")
    preloaded = ec2_registry.add_image("beta-pre", architecture="x86_64").image_id
    dates = [i.creation_date for i in ec2_registry.images.values()]
    record(request, ec2_registry, images=[image, preloaded], dates=dates)
""",
    "gamma": """
@pytest.mark.parametrize("n", [1, 2, 3])
def test_gamma(ec2_registry, request, n):
    images = [register(ec2_registry, f"gamma-{i}") for i in range(n)]
    record(request, ec2_registry, images=images, snapshot=ec2_registry.add_snapshot().snapshot_id)
""",
    "delta": """
def test_delta(ec2_registry, request):
    client = ec2_registry.client()
    answer = client.register_image(
        Name="delta",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "snap-0123456789abcdef0"}}
        ],
    )
    record(
        request,
        ec2_registry,
        images=[answer["ImageId"]],
        boto_request=answer["ResponseMetadata"]["RequestId"],
    )
""",
}


def source(out: Path, names: list[str]) -> str:
    """A test module holding the tests ``names``, in that order, recording into ``out``."""
    return TEMPLATE.format(out=str(out), tests="\n".join(TESTS[n] for n in names))


def read_ids(out: Path) -> dict[str, dict[str, object]]:
    """What each test recorded, by node id (the worker and endpoint left out)."""
    found = {}
    for path in sorted(out.glob("*.json")):
        data = json.loads(path.read_text())
        data.pop("worker")
        data.pop("endpoint")
        found[path.stem] = data
    return found


def read_raw(out: Path) -> dict[str, dict[str, object]]:
    """What each test recorded, worker and endpoint included."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(out.glob("*.json"))}
