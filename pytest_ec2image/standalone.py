"""A registry with its own server, for suites and scripts that do not run under pytest."""

from __future__ import annotations

from typing import Any

from .registry import Ec2Registry
from .server import Ec2Server


def run_registry(*, host: str = "127.0.0.1", port: int = 0, **config: Any) -> Ec2Registry:
    """Start a server and return a running :class:`Ec2Registry` bound to it.

    ``config`` takes the keys of the ``ec2_registry`` marker (``strict``, ``region``,
    ``account_id``, ``pending_describes``, ``images``, ``snapshots``, ``manifests``) and
    ``seed``. Use it as a context manager, or call ``close()``, to stop the server::

        with run_registry(region="eu-west-1") as registry:
            os.environ["AWS_ENDPOINT_URL_EC2"] = registry.endpoint_url
            ...
    """
    server = Ec2Server(host, port)
    server.start()
    try:
        registry = Ec2Registry(endpoint_url=server.endpoint_url, **config)
    except BaseException:
        server.stop()
        raise
    server.bind(registry._state)
    registry._on_close = server.stop
    return registry
