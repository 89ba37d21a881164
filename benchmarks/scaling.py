"""Per-call cost as the registry grows, and memory per image."""

from __future__ import annotations

import contextlib
import gc
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .load import Client

if TYPE_CHECKING:
    from pytest_ec2image import Ec2Registry


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


def per_call(sizes: list[int], calls: int, rounds: int = 3) -> list[dict[str, float]]:
    """Median µs of RegisterImage, DescribeImages by id and by exact name, DeregisterImage.

    One registry per size, all alive at once, measured in turns over ``rounds`` rounds, so a
    slow spell of the machine falls on every size alike rather than on whichever ran then.
    Each round deregisters the images it registered: every size starts each round as it was.
    """
    from pytest_ec2image import run_registry

    keys = (
        "register_us",
        "describe_by_id_us",
        "describe_by_name_us",
        "deregister_us",
        "images_lookup_us",
        "dict_lookup_us",
    )
    samples: dict[int, dict[str, list[float]]] = {size: {k: [] for k in keys} for size in sizes}
    with contextlib.ExitStack() as stack:
        registries = {}
        for size in sizes:
            registry = stack.enter_context(run_registry(seed=size))
            added = (registry.add_image(**image) for image in _images(size))
            registries[size] = registry, {image.image_id: image.name for image in added}
        for round_ in range(rounds):
            for size, (registry, preloaded) in registries.items():
                measured = _one_round(registry, preloaded, calls, round_)
                for key in keys:
                    samples[size][key].append(measured[key])
    return [
        {"images": size, **{key: statistics.median(values) for key, values in by_key.items()}}
        for size, by_key in samples.items()
    ]


def _one_round(
    registry: Ec2Registry, preloaded: dict[str, str], calls: int, round_: int
) -> dict[str, float]:
    """One turn of the four timed actions; ``preloaded`` maps the preloaded ids to names."""
    ids = list(preloaded)
    client = Client(registry.endpoint_url)
    v = "Version=2016-11-15"
    register = [
        (
            f"Action=RegisterImage&{v}&Name=new-{round_}-{i}&RootDeviceName=%2Fdev%2Fsda1"
            "&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsda1"
            "&BlockDeviceMapping.1.Ebs.SnapshotId=snap-0123456789abcdef0"
        ).encode()
        for i in range(calls)
    ]
    picks = [ids[(i * 7919 + round_) % len(ids)] for i in range(calls)]
    by_id = [f"Action=DescribeImages&{v}&ImageId.1={i}".encode() for i in picks]
    by_name = [
        f"Action=DescribeImages&{v}&Filter.1.Name=name&Filter.1.Value.1={preloaded[i]}".encode()
        for i in picks
    ]
    register_us = _per_call_us(client, register)
    images_lookup_us = _lookup_us(registry.images, picks)
    # The floor of any O(1) lookup at this size: a plain dict of the same images, read with
    # the same cold-cache pattern (each id once; other ids than the view's pass, whose reads
    # would have warmed these ones' cache lines).
    others = [ids[(i * 7919 + round_ + len(ids) // 2) % len(ids)] for i in range(calls)]
    dict_lookup_us = _lookup_us(dict(registry.images.items()), others)
    registered = [i for i, image in registry.images.items() if image.name.startswith("new-")]
    return {
        "register_us": register_us,
        "images_lookup_us": images_lookup_us,
        "dict_lookup_us": dict_lookup_us,
        "describe_by_id_us": _per_call_us(client, by_id),
        "describe_by_name_us": _per_call_us(client, by_name),
        "deregister_us": _per_call_us(
            client, [f"Action=DeregisterImage&{v}&ImageId={i}".encode() for i in registered]
        ),
    }


def _lookup_us(images: Mapping[str, Any], ids: list[str]) -> float:
    """Median µs of ``images[id]`` in-process, each id once (``registry.images``: the live
    view, never a copy)."""
    samples = []
    for image_id in ids:
        started = time.perf_counter()
        images[image_id]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


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
