"""The store under parallel requests: nothing lost or duplicated, one winner per name race."""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlencode, urlsplit

from botocore.exceptions import ClientError
from lxml import etree

from tests.conftest import SNAP, register_params

THREADS = 8
PER_THREAD = 250


def _connection(registry) -> http.client.HTTPConnection:
    address = urlsplit(registry.endpoint_url)
    return http.client.HTTPConnection(address.hostname, address.port, timeout=30)


def _register_body(name: str) -> bytes:
    return urlencode(register_params(name)).encode()


def _post(connection: http.client.HTTPConnection, body: bytes) -> tuple[int, etree._Element]:
    connection.request(
        "POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    )
    response = connection.getresponse()
    return response.status, etree.fromstring(response.read())


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive()


def test_parallel_registrations_lose_and_duplicate_nothing(ec2_registry):
    image_ids: list[list[str]] = [[] for _ in range(THREADS)]
    failures: list[object] = []
    start = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        connection = _connection(ec2_registry)  # keep-alive: one connection per thread
        try:
            start.wait()
            for n in range(PER_THREAD):
                status, root = _post(connection, _register_body(f"img-{index}-{n}"))
                if status != 200:
                    failures.append((status, etree.tostring(root)))
                    return
                image_ids[index].append(root.findtext("{*}imageId"))
        except Exception as error:  # reported below, with the thread's context
            failures.append(error)
        finally:
            connection.close()

    _run([threading.Thread(target=worker, args=(i,)) for i in range(THREADS)])

    assert failures == []
    every_id = [image_id for ids in image_ids for image_id in ids]
    assert len(every_id) == THREADS * PER_THREAD == 2000
    assert len(set(every_id)) == 2000
    images = ec2_registry.images
    assert set(images) == set(every_id)
    assert len({image.name for image in images.values()}) == 2000
    assert len({image.creation_date for image in images.values()}) == 2000
    calls = ec2_registry.calls
    assert len(calls) == 2000
    assert len({call.request_id for call in calls}) == 2000
    assert all(call.ok for call in calls)


def test_same_name_race_has_exactly_one_winner(ec2_registry):
    clients = [ec2_registry.client() for _ in range(THREADS)]
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(client) -> None:
        start.wait()
        try:
            image_id = client.register_image(
                Name="contended",
                RootDeviceName="/dev/sda1",
                BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": SNAP}}],
            )["ImageId"]
            outcome = ("ok", image_id)
        except ClientError as error:
            outcome = (error.response["Error"]["Code"], error.response["Error"]["Message"])
        with lock:
            outcomes.append(outcome)

    _run([threading.Thread(target=worker, args=(c,)) for c in clients])

    wins = [detail for code, detail in outcomes if code == "ok"]
    losses = [detail for code, detail in outcomes if code == "InvalidAMIName.Duplicate"]
    assert len(wins) == 1
    assert len(losses) == THREADS - 1
    assert set(losses) == {f"AMI name contended is already in use by AMI {wins[0]}"}
    assert list(ec2_registry.images) == wins


def test_repeated_name_races_each_have_one_winner(ec2_registry):
    rounds = 25
    statuses: dict[int, list[int]] = {r: [] for r in range(rounds)}
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker() -> None:
        connection = _connection(ec2_registry)
        try:
            for r in range(rounds):
                start.wait()
                status, _ = _post(connection, _register_body(f"round-{r}"))
                with lock:
                    statuses[r].append(status)
        finally:
            connection.close()

    _run([threading.Thread(target=worker) for _ in range(THREADS)])

    for r in range(rounds):
        assert sorted(statuses[r]) == [200] + [400] * (THREADS - 1), r
    assert len(ec2_registry.images) == rounds


def test_reads_and_writes_in_parallel_stay_consistent(ec2_registry):
    """Describes, tags and deregistrations racing registrations: no 5xx, no torn state."""
    errors: list[object] = []
    start = threading.Barrier(THREADS)

    def writer(index: int) -> None:
        connection = _connection(ec2_registry)
        try:
            start.wait()
            for n in range(40):
                status, root = _post(connection, _register_body(f"w-{index}-{n}"))
                image_id = root.findtext("{*}imageId")
                tag = urlencode(
                    {
                        "Action": "CreateTags",
                        "Version": "2016-11-15",
                        "ResourceId.1": image_id,
                        "Tag.1.Key": "n",
                        "Tag.1.Value": str(n),
                    }
                ).encode()
                statuses = [status, _post(connection, tag)[0]]
                if n % 2:
                    drop = urlencode(
                        {"Action": "DeregisterImage", "Version": "2016-11-15", "ImageId": image_id}
                    ).encode()
                    statuses.append(_post(connection, drop)[0])
                if set(statuses) != {200}:
                    errors.append((index, n, statuses))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def reader() -> None:
        connection = _connection(ec2_registry)
        try:
            start.wait()
            for _ in range(40):
                body = urlencode(
                    {
                        "Action": "DescribeImages",
                        "Version": "2016-11-15",
                        "Filter.1.Name": "tag-key",
                        "Filter.1.Value.1": "n",
                    }
                ).encode()
                status, root = _post(connection, body)
                if status != 200:
                    errors.append(("describe", status, etree.tostring(root)))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(THREADS // 2)]
    threads += [threading.Thread(target=reader) for _ in range(THREADS // 2)]
    _run(threads)

    assert errors == []
    images = ec2_registry.images
    assert len(images) == (THREADS // 2) * 20
    assert all(image.tags == {"n": image.name.split("-")[-1]} for image in images.values())
