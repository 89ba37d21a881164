"""Persistent HTTP/1.1 connections: reuse, pipelining, what closes a connection, the limits
(idle timeout, the connection bound, stop) and no leaks. Connections are counted on the
server's side."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import pytest
from lxml import etree

from pytest_ec2image import Ec2Registry
from pytest_ec2image.hosting.server import Ec2Server
from pytest_ec2image.registry import state_of
from tests.conftest import register, register_params
from tests.wire import Wire, post, until

DESCRIBE = urlencode({"Action": "DescribeImages", "Version": "2016-11-15"})


@pytest.fixture
def wire(ec2_registry):
    connection = Wire(ec2_registry.endpoint_url)
    yield connection
    connection.close()


@pytest.fixture
def own_server():
    """``own_server(**limits)``: a server of its own with a registry bound, stopped after."""
    servers: list[Ec2Server] = []

    def start(**limits) -> tuple[Ec2Server, Ec2Registry]:
        server = Ec2Server(**limits)
        server.start()
        servers.append(server)
        registry = Ec2Registry(endpoint_url=server.endpoint_url)
        server.bind(state_of(registry), registry)
        return server, registry

    yield start
    for server in servers:
        if server.is_running():
            server.stop()


# --- reuse -----------------------------------------------------------------------------------


def test_a_boto3_clients_calls_share_one_connection(ec2_registry, ec2_registry_server):
    import boto3

    before = ec2_registry_server.connections_accepted
    client = boto3.client("ec2")
    image_id = register(client)
    client.describe_images(ImageIds=[image_id])
    client.create_tags(Resources=[image_id], Tags=[{"Key": "env", "Value": "dev"}])
    client.deregister_image(ImageId=image_id)
    assert len(ec2_registry.calls) == 4
    assert ec2_registry_server.connections_accepted - before == 1


def test_pipelined_requests_are_answered_in_order(wire, ec2_registry):
    wire.send(post(DESCRIBE) + post(urlencode(register_params())) + post(DESCRIBE))
    first, second, third = wire.answer(), wire.answer(), wire.answer()
    assert [first.status, second.status, third.status] == [200, 200, 200]
    image_id = etree.fromstring(second.body).findtext("{*}imageId")
    assert image_id not in first.body.decode()
    assert image_id in third.body.decode()
    assert [call.action for call in ec2_registry.calls] == [
        "DescribeImages",
        "RegisterImage",
        "DescribeImages",
    ]
    assert "connection" not in first.headers


def test_every_answer_carries_content_length_and_keeps_the_connection(wire, ec2_registry):
    for body in (DESCRIBE, "Action=Nope", "Action=DescribeImages&Version=1999-01-01"):
        wire.send(post(body))
        answer = wire.answer()
        assert int(answer.headers["content-length"]) == len(answer.body)
        assert "connection" not in answer.headers
    wire.send(f"HEAD /?{DESCRIBE} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head = wire.answer(head_only=True)
    wire.send(f"GET /?{DESCRIBE} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    get = wire.answer()
    assert (head.status, get.status) == (200, 200)
    assert head.headers["content-length"] == str(len(get.body))


# --- what closes a connection ------------------------------------------------------------------


def test_connection_close_is_honoured(wire):
    wire.send(post(DESCRIBE, headers="Connection: close\r\n") + post(DESCRIBE))
    answer = wire.answer()
    assert (answer.status, answer.headers["connection"]) == (200, "close")
    assert wire.closed_by_server()  # the second request is never read


def test_http_1_0_closes_unless_keep_alive_is_asked_for(ec2_registry):
    plain = Wire(ec2_registry.endpoint_url)
    plain.send(post(DESCRIBE, version="HTTP/1.0"))
    assert plain.answer().headers["connection"] == "close"
    assert plain.closed_by_server()
    plain.close()
    kept = Wire(ec2_registry.endpoint_url)
    for _ in range(2):
        kept.send(post(DESCRIBE, version="HTTP/1.0", headers="Connection: keep-alive\r\n"))
        answer = kept.answer()
        assert (answer.status, answer.headers["connection"]) == (200, "keep-alive")
    kept.close()


def test_a_disconnect_fault_closes_only_its_connection(ec2_registry, ec2_registry_server):
    import boto3

    ec2_registry.disconnect("DescribeImages")
    client = boto3.client("ec2")
    client.describe_instances  # noqa: B018 - the client is built before counting
    before = ec2_registry_server.connections_accepted
    client.describe_images()  # botocore retries, on a fresh connection
    assert [call.status for call in ec2_registry.calls] == [0, 200]
    assert ec2_registry_server.connections_accepted - before == 2


# --- limits ------------------------------------------------------------------------------------


def test_idle_connection_is_closed_after_the_idle_timeout(own_server):
    server, _ = own_server(idle_timeout=0.2)
    wire = Wire(server.endpoint_url)
    wire.send(post(DESCRIBE))
    assert wire.answer().status == 200
    assert wire.closed_by_server()
    until(lambda: server.open_connections == 0, "the server to count the connection out")
    wire.close()


def test_idle_timeout_must_be_positive():
    with pytest.raises(ValueError, match="idle_timeout must be a positive number"):
        Ec2Server(idle_timeout=0)
    # A socket timeout must be finite: an infinite or huge one would kill every connection.
    for huge in (float("inf"), float("nan"), 1e12):
        with pytest.raises(ValueError, match="up to 86400"):
            Ec2Server(idle_timeout=huge)
    with pytest.raises(ValueError, match="max_connections must be at least 1"):
        Ec2Server(max_connections=0)


def test_past_the_bound_the_longest_idle_connection_is_closed(own_server):
    server, _ = own_server(max_connections=2)
    connections = []
    for idle in (1, 2):
        # one after the other, each idle before the next opens: the idle order is known
        connection = Wire(server.endpoint_url)
        connection.send(post(DESCRIBE))
        assert connection.answer().status == 200
        until(lambda idle=idle: server.idle_connections == idle, "the connection to be idle")
        connections.append(connection)
    oldest, newer = connections
    third = Wire(server.endpoint_url)
    third.send(post(DESCRIBE))
    assert third.answer().status == 200
    assert oldest.closed_by_server()
    newer.send(post(DESCRIBE))
    assert newer.answer().status == 200
    assert server.open_connections <= 2
    for connection in (oldest, newer, third):
        connection.close()


def test_past_the_bound_with_none_idle_the_new_connection_gets_503(own_server):
    server, registry = own_server(max_connections=2)
    stalled = [Wire(server.endpoint_url) for _ in range(2)]
    for connection in stalled:
        connection.send(b"POST / HTTP/1.1\r\nHost: x\r\n")  # a head that never ends
    until(lambda: server.server.requests_begun == 2, "both connections to be busy")
    refused = Wire(server.endpoint_url)
    refused.send(post(DESCRIBE))
    answer = refused.answer()
    assert (answer.status, answer.code) == (503, "ServiceUnavailable")
    assert "at most 2" in answer.message
    assert answer.headers["connection"] == "close"
    assert refused.closed_by_server()
    for connection in [*stalled, refused]:
        connection.close()
    until(lambda: server.open_connections == 0, "the stalled connections to end")
    assert len(registry.calls) == 0  # a head cut short by the client's end is never served


def test_a_stalled_request_does_not_block_other_clients(ec2_registry):
    import boto3

    stalled = Wire(ec2_registry.endpoint_url)
    stalled.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nAction=Desc")
    client = boto3.client("ec2")
    image_id = register(client)
    assert client.describe_images(ImageIds=[image_id])["Images"]
    stalled.close()


def test_stop_closes_idle_connections_at_once(own_server):
    server, _ = own_server()
    wires = [Wire(server.endpoint_url) for _ in range(50)]
    for connection in wires:
        connection.send(post(DESCRIBE))
        assert connection.answer().status == 200
    until(lambda: server.idle_connections == 50, "every connection to be idle")
    server.stop()
    assert server.open_connections == 0
    assert all(connection.closed_by_server() for connection in wires)
    for connection in wires:
        connection.close()


def test_stop_with_a_request_in_flight_shuts_it_after_the_grace(own_server):
    server, _ = own_server()
    stalled = Wire(server.endpoint_url)
    stalled.send(b"POST / HTTP/1.1\r\nHost: x\r\n")
    until(lambda: server.server.requests_begun == 1, "the connection to be busy")
    stopped = threading.Event()
    threading.Thread(target=lambda: (server.stop(), stopped.set()), daemon=True).start()
    assert stopped.wait(10)
    assert stalled.closed_by_server()
    stalled.close()


def test_the_fixture_closes_idle_connections_at_the_end_of_each_test(pytester):
    # Each test leaves a keep-alive connection open (as a boto3 client left in a global
    # would); the server's side of it must end with the test, threads and descriptors too.
    pytester.makepyfile(
        """
        import http.client, os, threading
        from urllib.parse import urlsplit
        import pytest

        import resource

        # The test holds 1,000 client ends open on purpose: make room where the soft limit
        # is the common 1024.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
        if soft != resource.RLIM_INFINITY and soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

        LEFT_OPEN = []
        BASELINE = {}

        def counts(server):
            return threading.active_count(), len(os.listdir("/proc/self/fd"))

        @pytest.mark.parametrize("n", range(1000))
        def test_leave_a_connection_open(ec2_registry, ec2_registry_server, n):
            address = urlsplit(ec2_registry.endpoint_url)
            connection = http.client.HTTPConnection(address.hostname, address.port)
            connection.request("GET", "/?Action=DescribeImages&Version=2016-11-15")
            assert connection.getresponse().read()
            LEFT_OPEN.append(connection)
            if n == 10:
                BASELINE["threads"], BASELINE["fds"] = counts(ec2_registry_server)

        @pytest.fixture
        def close_left_open():
            yield
            for connection in LEFT_OPEN:
                connection.close()

        def test_nothing_leaked(ec2_registry_server, close_left_open):
            import time
            deadline = time.monotonic() + 10
            while ec2_registry_server.open_connections and time.monotonic() < deadline:
                time.sleep(0.01)
            assert ec2_registry_server.open_connections == 0
            threads, fds = counts(ec2_registry_server)
            while threads > BASELINE["threads"] and time.monotonic() < deadline:
                time.sleep(0.01)
                threads, fds = counts(ec2_registry_server)
            assert threads <= BASELINE["threads"]
            # the clients' own ends stay open (the test holds them); the server's are gone
            assert fds <= BASELINE["fds"] + (len(LEFT_OPEN) - 11) + 2
        """
    )
    pytester.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=1001)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "1e12", "inf"])
def test_a_bad_idle_timeout_ini_value_is_a_usage_error(pytester, value):
    pytester.makeini(f"[pytest]\nec2_registry_idle_timeout = {value}\n")
    pytester.makepyfile("def test_x(): pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*ec2_registry_idle_timeout: '{value}' is not a positive number of seconds*"]
    )


def test_a_refused_connection_is_never_taken_for_an_idle_one(own_server):
    """A connection past the bound waits for its request only to be refused: a newcomer
    must not displace it as if it were idle, or the bound would be exceeded."""
    server, _ = own_server(max_connections=2)
    stalled = [Wire(server.endpoint_url) for _ in range(2)]
    for connection in stalled:
        connection.send(b"POST / HTTP/1.1\r\nHost: x\r\n")  # a head that never ends
    until(lambda: server.server.requests_begun == 2, "both connections to be busy")
    first_refused = Wire(server.endpoint_url)  # sends nothing yet: it waits, refused
    until(lambda: server.connections_accepted == 3, "the third connection to be accepted")
    second_refused = Wire(server.endpoint_url)
    until(lambda: server.connections_accepted == 4, "the fourth connection to be accepted")
    assert server.open_connections == 2
    assert server.idle_connections == 0
    for connection in (first_refused, second_refused):
        connection.send(post(DESCRIBE))
        assert connection.answer().status == 503
    for connection in [*stalled, first_refused, second_refused]:
        connection.close()
