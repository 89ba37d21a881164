"""The pytest side of pytest-ec2image: options, ini keys, markers, header line, fixtures and
the failure report section.

pytest imports this module at every start-up of every project that installs the plugin, so it
imports only pytest and the standard library; the server loads on first use of a fixture.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from .registry import Ec2Registry
    from .server import Ec2Server

MAX_SEED: Final = 2**63 - 1
SEED_KEY: Final = pytest.StashKey[int]()
DATA_KEY: Final = pytest.StashKey[dict[str, list[dict[str, Any]]]]()
REGISTRY_KEY: Final = pytest.StashKey["Ec2Registry"]()
REPORT_SECTION: Final = "ec2-registry calls"
_DATA_KINDS: Final = ("images", "snapshots", "manifests")


def seed_value(text: str) -> int:
    """``--ec2-registry-seed`` converter: a whole number from 0 to 2**63-1."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a valid seed: expected a whole number such as 12345"
        ) from None
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid seed: expected 0 to {MAX_SEED}")
    return seed


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ec2image", "pytest-ec2image (fake EC2 image registry)")
    group.addoption(
        "--ec2-registry-seed",
        dest="ec2_registry_seed",
        type=seed_value,
        default=None,
        metavar="INT",
        help="Seed for every generated image, snapshot and request id "
        "(default: random; the run header shows it).",
    )
    group.addoption(
        "--ec2-registry-data",
        dest="ec2_registry_data",
        default=None,
        metavar="PATH",
        help="JSON file of images, snapshots and manifests preloaded into every test's registry.",
    )
    parser.addini("ec2_registry_seed", "Seed for generated ids (see --ec2-registry-seed).")
    parser.addini("ec2_registry_data", "JSON file preloaded into every registry.")
    parser.addini(
        "ec2_registry_strict",
        "Only declared snapshots, manifests and kernels exist.",
        type="bool",
        default=False,
    )
    parser.addini("ec2_registry_region", "Default region of the registry.", default="us-east-1")
    parser.addini(
        "ec2_registry_account_id", "Account that owns registered images.", default="123456789012"
    )
    parser.addini(
        "ec2_registry_autowire",
        "Point AWS_ENDPOINT_URL_EC2 and test credentials at the registry for each test.",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ec2_registry(strict=False, region=..., account_id=..., pending_describes=0, images=[], "
        "snapshots=[], manifests=[]): configure this test's ec2_registry.",
    )
    config.addinivalue_line(
        "markers",
        "ec2_fault(action, code, message=None, *, status=None, times=1, when=None, "
        "after_commit=False): inject an EC2 error, as Ec2Registry.fail(); stackable.",
    )
    config.stash[SEED_KEY] = _resolve_seed(config)
    config.stash[DATA_KEY] = _load_data(config)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistSeed(config.stash[SEED_KEY]), "ec2image-xdist")


def _resolve_seed(config: pytest.Config) -> int:
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None and "ec2_registry_seed" in worker_input:
        return int(worker_input["ec2_registry_seed"])
    seed: int | None = config.getoption("ec2_registry_seed")
    if seed is not None:
        return seed
    ini = config.getini("ec2_registry_seed")
    if ini:
        try:
            return seed_value(str(ini))
        except argparse.ArgumentTypeError as error:
            raise pytest.UsageError(f"ini option ec2_registry_seed: {error}") from None
    return random.getrandbits(32)


def _load_data(config: pytest.Config) -> dict[str, list[dict[str, Any]]]:
    option: str | None = config.getoption("ec2_registry_data")
    if option is not None:
        path = Path(option)
    elif config.getini("ec2_registry_data"):
        base = config.inipath.parent if config.inipath else config.rootpath
        path = base / str(config.getini("ec2_registry_data"))
    else:
        return {kind: [] for kind in _DATA_KINDS}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise pytest.UsageError(f"ec2-registry data file {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise pytest.UsageError(f"ec2-registry data file {path}: invalid JSON: {error}") from None
    if not isinstance(data, dict):
        raise pytest.UsageError(
            f"ec2-registry data file {path}: expected a JSON object with "
            f"{', '.join(_DATA_KINDS)}, got {type(data).__name__}"
        )
    unknown = sorted(set(data) - set(_DATA_KINDS))
    if unknown:
        raise pytest.UsageError(
            f"ec2-registry data file {path}: unknown keys {', '.join(unknown)} "
            f"(expected {', '.join(_DATA_KINDS)})"
        )
    for kind in _DATA_KINDS:
        entries = data.setdefault(kind, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise pytest.UsageError(
                f"ec2-registry data file {path}: {kind!r} must be a list of objects"
            )
    _check_preload(data, f"ec2-registry data file {path}")
    return data


def _check_preload(data: Mapping[str, Any], where: str) -> None:
    """Build a throw-away registry from ``data`` so a bad entry is reported once, up front."""
    from .registry import Ec2Registry

    try:
        Ec2Registry(**{kind: data.get(kind, ()) for kind in _DATA_KINDS})
    except (TypeError, ValueError, KeyError) as error:
        raise pytest.UsageError(f"{where}: {error}") from None
    except Exception as error:
        raise pytest.UsageError(f"{where}: {type(error).__name__}: {error}") from None


class _XdistSeed:
    """Hands the controller's seed to every xdist worker (registered only with xdist)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["ec2_registry_seed"] = self.seed


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.stash[SEED_KEY]
    return f"ec2-registry: seed={seed} (reproduce with --ec2-registry-seed={seed})"


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ec2_registry_server() -> Iterator[Ec2Server]:
    """The fake EC2 endpoint: one per process (so one per xdist worker), bound to 127.0.0.1
    on a free port, started on first use and stopped at the end of the session."""
    from .server import Ec2Server

    server = Ec2Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _registry_marker(
    *,
    strict: bool | None = None,
    region: str | None = None,
    account_id: str | None = None,
    pending_describes: int | None = None,
    images: list[dict[str, Any]] | None = None,
    snapshots: list[dict[str, Any]] | None = None,
    manifests: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {k: v for k, v in locals().items() if v is not None}


def _fault_marker(
    action: str,
    code: str,
    message: str | None = None,
    *,
    status: int | None = None,
    times: int | None = 1,
    when: Any = None,
    after_commit: bool = False,
) -> dict[str, Any]:
    return dict(locals())


def _bind_marker(function: Any, mark: pytest.Mark, nodeid: str) -> dict[str, Any]:
    try:
        inspect.signature(function).bind(*mark.args, **mark.kwargs)
    except TypeError as error:
        raise pytest.UsageError(f"{nodeid}: bad @pytest.mark.{mark.name}(...): {error}") from None
    result: dict[str, Any] = function(*mark.args, **mark.kwargs)
    return result


def registry_config(item: pytest.Item) -> dict[str, Any]:
    """The registry settings of one test: ini, then data file, then markers (closest wins)."""
    config = item.config
    settings: dict[str, Any] = {
        "strict": config.getini("ec2_registry_strict"),
        "region": config.getini("ec2_registry_region"),
        "account_id": config.getini("ec2_registry_account_id"),
    }
    data = config.stash[DATA_KEY]
    preload = {kind: list(data[kind]) for kind in _DATA_KINDS}
    for mark in reversed(list(item.iter_markers("ec2_registry"))):
        values = _bind_marker(_registry_marker, mark, item.nodeid)
        for kind in _DATA_KINDS:
            preload[kind].extend(values.pop(kind, []))
        settings.update(values)
    settings.update(preload)
    return settings


@pytest.fixture
def ec2_registry(
    request: pytest.FixtureRequest,
    ec2_registry_server: Ec2Server,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Ec2Registry]:
    """A fresh fake EC2 image registry for this test, served over real HTTP.

    The environment points AWS_ENDPOINT_URL_EC2, test credentials and AWS_DEFAULT_REGION at
    it (undone after the test), so unmodified boto3 or CLI code reaches it. At teardown the
    test fails if the fake itself hit an internal error while serving it.
    """
    from .registry import Ec2Registry

    item = request.node
    try:
        registry = Ec2Registry(
            endpoint_url=ec2_registry_server.endpoint_url,
            seed=item.config.stash[SEED_KEY],
            scope=item.nodeid,
            **registry_config(item),
        )
    except (TypeError, ValueError, KeyError) as error:
        raise pytest.UsageError(f"{item.nodeid}: ec2_registry configuration: {error}") from None
    for mark in reversed(list(item.iter_markers("ec2_fault"))):
        registry.fail(**_bind_marker(_fault_marker, mark, item.nodeid))
    if item.config.getini("ec2_registry_autowire"):
        monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", registry.endpoint_url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", registry.access_key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", registry.secret_access_key)
        monkeypatch.setenv("AWS_DEFAULT_REGION", registry.region)
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
    item.stash[REGISTRY_KEY] = registry
    ec2_registry_server.bind(registry._state)
    try:
        yield registry
    finally:
        ec2_registry_server.bind(None)
    errors = registry._state.errors.take()
    if errors:
        details = "\n".join(f"--- while serving {action}:\n{text}" for action, _, text in errors)
        pytest.fail(
            f"pytest-ec2image hit {len(errors)} internal error(s) while serving this test; "
            f"the client got InternalError (500).\n{details}",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    registry = item.stash.get(REGISTRY_KEY, None)
    if registry is not None and report.failed:
        lines = [c.summary() for c in registry.calls] or ["(no calls)"]
        report.sections.append((REPORT_SECTION, "\n".join(lines)))
    return report
