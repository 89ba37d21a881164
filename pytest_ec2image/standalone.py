"""A registry with its own server, for suites and scripts that do not run under pytest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .hosting.connections import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS
from .hosting.server import Ec2Server
from .model import Call
from .registry import Ec2Registry, state_of


def run_registry(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    on_call: Callable[[Call], None] | None = None,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    **config: Any,
) -> Ec2Registry:
    """Start a server and return a running :class:`Ec2Registry` bound to it.

    ``config`` takes the keys of the ``ec2_registry`` marker (``strict``, ``region``,
    ``account_id``, ``pending_describes``, ``deregistered_describes``, ``images``,
    ``snapshots``, ``manifests``), ``seed``
    (default: random; read it back from ``registry.seed``) and ``scope``: ids depend only on
    (seed, scope, order of calls), so a suite that starts one registry per test and passes the
    test's id as ``scope`` gets the same ids for a test however the suite is ordered.
    ``on_call`` is called with each :class:`Call` once it is answered, on the server's thread.
    ``idle_timeout`` (seconds) and ``max_connections`` bound the HTTP/1.1 connections clients
    keep open (defaults: 5 s and 128).

    The server listens on ``host``:``port`` (default: 127.0.0.1, a free port) until the
    registry is closed; use it as a context manager::

        with run_registry(region="eu-west-1", seed=7) as registry:
            os.environ["AWS_ENDPOINT_URL_EC2"] = registry.endpoint_url
            ...
    """
    if "endpoint_url" in config:
        raise TypeError("run_registry() sets endpoint_url itself; pass host and port instead")
    # Build the registry first: a bad config must not cost a bind and a server thread.
    registry = Ec2Registry(**config)
    server = Ec2Server(host, port, idle_timeout=idle_timeout, max_connections=max_connections)
    server.start()
    if on_call is not None:
        server.on_call.append(on_call)
    registry.endpoint_url = server.endpoint_url
    server.bind(state_of(registry), registry)
    registry._on_close = server.stop
    return registry
