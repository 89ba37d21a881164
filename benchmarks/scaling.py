"""Per-call cost as the registry grows, and memory per image."""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import time
from typing import Any

from .load import Client


def _images(count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"preloaded-{n}",
            "architecture": "x86_64",
            "root_device_name": "/dev/sda1",
            "block_device_mappings": [
                {
                    "device_name": "/dev/sda1",
                    "ebs": {
                        "snapshot_id": f"snap-{n:017x}",
                        "volume_size": 8,
                        "volume_type": "gp3",
                        "iops": 3000,
                        "throughput": 125,
                        "encrypted": False,
                    },
                }
            ],
        }
        for n in range(count)
    ]


def _per_call_us(client: Client, bodies: list[bytes]) -> float:
    samples = []
    for body in bodies:
        started = time.perf_counter()
        status, data = client.post(body)
        samples.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"{status}: {data[:300]!r}")
    return statistics.median(samples) * 1e6


def per_call(sizes: list[int], calls: int) -> list[dict[str, float]]:
    """Median µs of RegisterImage, DescribeImages by id and by exact name, DeregisterImage."""
    from pytest_ec2image import run_registry

    rows = []
    for size in sizes:
        with run_registry(seed=size) as registry:
            for image in _images(size):
                registry.add_image(**image)
            ids = list(registry.images)
            client = Client(registry.endpoint_url)
            v = "Version=2016-11-15"
            register = [
                (
                    f"Action=RegisterImage&{v}&Name=new-{i}&RootDeviceName=%2Fdev%2Fsda1"
                    "&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsda1"
                    "&BlockDeviceMapping.1.Ebs.SnapshotId=snap-0123456789abcdef0"
                ).encode()
                for i in range(calls)
            ]
            picks = [ids[(i * 7919) % len(ids)] for i in range(calls)]
            by_id = [f"Action=DescribeImages&{v}&ImageId.1={i}".encode() for i in picks]
            by_name = [
                (
                    f"Action=DescribeImages&{v}&Filter.1.Name=name"
                    f"&Filter.1.Value.1={registry.images[i].name}"
                ).encode()
                for i in picks
            ]
            deregister = [
                f"Action=DeregisterImage&{v}&ImageId={i}".encode() for i in dict.fromkeys(picks)
            ]
            rows.append(
                {
                    "images": size,
                    "register_us": _per_call_us(client, register),
                    "describe_by_id_us": _per_call_us(client, by_id),
                    "describe_by_name_us": _per_call_us(client, by_name),
                    "deregister_us": _per_call_us(client, deregister),
                }
            )
    return rows


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import resource

    return pages * resource.getpagesize()


def memory_child(count: int) -> None:
    """In a fresh process: RSS growth per image over ``count`` preloaded images."""
    from pytest_ec2image import Ec2Registry

    registry = Ec2Registry(seed=1)
    images = _images(count)
    gc.collect()
    before = _rss_bytes()
    for image in images:
        registry.add_image(**image)
    del images
    gc.collect()
    after = _rss_bytes()
    print((after - before) / count)


def memory_per_image(count: int) -> float:
    """Bytes of RSS per image, measured in a child process."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from benchmarks.scaling import memory_child; memory_child({count})",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip())
