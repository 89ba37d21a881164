"""The command line, ``python -m pytest_ec2image serve``: the fake as a standalone server,
for suites that are not written in Python (or not run by pytest). They point
``AWS_ENDPOINT_URL_EC2`` at it and drive it through the JSON control API under ``/_ec2image/``.

Nothing here imports pytest: the core runs without it.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import random
import signal
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType
from typing import TextIO

from . import datafile
from .defaults import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from .hosting.connections import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, MAX_IDLE_TIMEOUT
from .ids import is_account_id, seed_value
from .model import Call
from .registry import Ec2Registry, state_of
from .standalone import run_registry
from .store import InternalErrors

#: How often the main thread wakes while it waits for a stop signal.
_WAKE_SECONDS = 0.5


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``localhost``, 127.0.0.0/8, ``::1``).

    Names other than ``localhost`` count as remote: telling would take a DNS lookup.
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return port


def _account_id(text: str) -> str:
    if not is_account_id(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an AWS account id (12 digits)")
    return text


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= MAX_IDLE_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a positive number of seconds (at most {MAX_IDLE_TIMEOUT:g})"
        )
    return seconds


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _region(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the region name is empty")
    return text.strip()


def _credentials(text: str) -> tuple[str, str, str | None]:
    """``KEY:SECRET`` or ``KEY:SECRET:ACCOUNT`` (a secret may itself hold colons)."""
    key, _, rest = text.partition(":")
    secret, account = rest, None
    head, _, tail = rest.rpartition(":")
    if head and is_account_id(tail):
        secret, account = head, tail
    if not key or not secret:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not KEY:SECRET or KEY:SECRET:ACCOUNT (an access key id, its secret and "
            "optionally the 12-digit account it acts for)"
        )
    return key, secret, account


def _parsers() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_ec2image",
        description="pytest-ec2image: a fake EC2 image registry (RegisterImage, DescribeImages, "
        "tags, CopyImage) served over HTTP.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve = commands.add_parser(
        "serve",
        help="run the fake EC2 endpoint until Ctrl-C",
        description="Run the fake EC2 endpoint until Ctrl-C or SIGTERM. Point "
        "AWS_ENDPOINT_URL_EC2 at the URL it prints; drive it with the JSON control API under "
        "/_ec2image/ (state, calls, reset, faults).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument(
        "--port", type=_port, default=0, help="port to bind (default: 0, a free port)"
    )
    serve.add_argument(
        "--seed",
        type=seed_value,
        default=None,
        metavar="INT",
        help="seed for every generated id (default: random; printed at start)",
    )
    serve.add_argument(
        "--data", metavar="FILE", help="JSON file of images, snapshots and manifests to preload"
    )
    serve.add_argument(
        "--strict", action="store_true", help="only declared snapshots and manifests exist"
    )
    serve.add_argument(
        "--region", type=_region, default=DEFAULT_REGION, help="default region (%(default)s)"
    )
    serve.add_argument(
        "--account-id",
        type=_account_id,
        default=DEFAULT_ACCOUNT_ID,
        help="account that owns registered images (%(default)s)",
    )
    serve.add_argument(
        "--verify-signatures",
        action="store_true",
        help="check SigV4/SigV2 signatures against the known credentials (default: any pass)",
    )
    serve.add_argument(
        "--credentials",
        type=_credentials,
        action="append",
        default=[],
        metavar="KEY:SECRET[:ACCOUNT]",
        help="another access key the fake knows, acting for ACCOUNT (default: --account-id); "
        "repeatable",
    )
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host that is not a loopback address (the fake accepts any credentials)",
    )
    serve.add_argument(
        "--idle-timeout",
        type=_positive_seconds,
        default=DEFAULT_IDLE_TIMEOUT,
        metavar="SECONDS",
        help="close a keep-alive connection idle this long (default: %(default)s)",
    )
    serve.add_argument(
        "--max-connections",
        type=_positive_int,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="open connections at most (default: %(default)s)",
    )
    serve.add_argument("--quiet", action="store_true", help="no log line per call")
    return parser, serve


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = out or sys.stdout
    parser, serve_parser = _parsers()
    args = parser.parse_args(argv)
    if args.host.startswith("[") and args.host.endswith("]"):
        args.host = args.host[1:-1]  # "[::1]", as in a URL: the socket wants the bare address
    if not is_loopback(args.host) and not args.allow_remote:
        serve_parser.error(
            f"--host {args.host} is not a loopback address; the fake accepts any credentials, "
            "so serving beyond this machine needs --allow-remote"
        )
    preload = datafile.empty()
    if args.data:
        try:
            preload = datafile.load_data(args.data, region=args.region, account_id=args.account_id)
        except datafile.DataFileError as error:
            serve_parser.error(str(error))
    seed = args.seed if args.seed is not None else random.getrandbits(32)
    log = _CallLogger(out, quiet=args.quiet)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Installed before the server starts: a signal at any moment from here on stops cleanly.
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            registry = run_registry(
                host=args.host,
                port=args.port,
                on_call=log,
                seed=seed,
                strict=args.strict,
                region=args.region,
                account_id=args.account_id,
                verify_signatures=args.verify_signatures,
                idle_timeout=args.idle_timeout,
                max_connections=args.max_connections,
                **preload,
            )
        except OSError as error:
            print(
                f"pytest-ec2image: cannot listen on {args.host}:{args.port}: "
                f"{error.strerror or error}",
                file=sys.stderr,
            )
            return 1
        try:
            for key, secret, account in args.credentials:
                registry.add_credentials(key, secret, account_id=account)
            log.errors = state_of(registry).errors
            _announce(log, registry, seed, args)
            while not stop.wait(_WAKE_SECONDS):
                pass
        finally:
            registry.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.say(f"pytest-ec2image: stopped after serving {log.served} call(s)")
    return 0


def _announce(log: _CallLogger, registry: Ec2Registry, seed: int, args: argparse.Namespace) -> None:
    url = registry.endpoint_url
    log.say(
        f"pytest-ec2image: fake EC2 endpoint at {url} "
        f"(seed={seed}, region={args.region}, account={args.account_id}, "
        f"strict={'on' if args.strict else 'off'}, "
        f"signatures={'verified' if args.verify_signatures else 'not checked'})"
    )
    log.say(f"export AWS_ENDPOINT_URL_EC2={url}")
    log.say(
        f"export AWS_ACCESS_KEY_ID={registry.access_key_id} "
        f"AWS_SECRET_ACCESS_KEY={registry.secret_access_key} "
        f"AWS_DEFAULT_REGION={args.region}"
    )
    log.say(
        f"control API: {url}/_ec2image/ (state, calls, reset, faults); "
        f"same ids again: --seed {seed}; stop: Ctrl-C"
    )


class _CallLogger:
    """One line per EC2 call on ``out``; tracebacks of the fake's own errors on stderr."""

    def __init__(self, out: TextIO, *, quiet: bool) -> None:
        self.out = out
        self.quiet = quiet
        self.errors: InternalErrors | None = None
        #: EC2 calls answered since start (a control API reset empties the call log, not this).
        self.served = 0
        self._lock = threading.Lock()

    def say(self, line: str) -> None:
        with self._lock, contextlib.suppress(OSError):  # a closed pipe must not stop serving
            print(line, file=self.out, flush=True)

    def __call__(self, call: Call) -> None:
        with self._lock:
            self.served += 1
        if not self.quiet:
            stamp = time.strftime("%H:%M:%S")
            self.say(f"{stamp} {call.summary()} ({call.duration * 1000:.1f} ms)")
        if call.error_code == "InternalError" and self.errors is not None:
            for action, _, text in self.errors.take():
                with self._lock, contextlib.suppress(OSError):
                    print(f"internal error while serving {action}:\n{text}", file=sys.stderr)
