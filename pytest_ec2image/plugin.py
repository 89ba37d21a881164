"""The pytest side of pytest-ec2image: options, ini keys, markers, header line, fixtures and
the failure report section.

pytest imports this module at every start-up of every project that installs the plugin, so it
imports only pytest and the standard library; the server loads on first use of a fixture.
"""

from __future__ import annotations

import argparse
import random
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from . import datafile, markers
from .defaults import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from .ids import is_account_id, seed_value

if TYPE_CHECKING:
    from .hosting.server import Ec2Server
    from .registry import Ec2Registry

# The assertion helpers live in these; this must run before they are first imported (the
# fixture imports them lazily). Registering a name imports nothing, so start-up stays cheap.
pytest.register_assert_rewrite("pytest_ec2image.registry", "pytest_ec2image.assertions")

SEED_KEY: Final = pytest.StashKey[int]()
DATA_KEY: Final = pytest.StashKey[datafile.Preload]()
REGISTRY_KEY: Final = pytest.StashKey["Ec2Registry"]()
REPORT_SECTION: Final = "ec2-registry calls"
_REPORTED_KEY: Final = pytest.StashKey[bool]()
#: workerinput keys: xdist workers take the controller's seed and data instead of their own.
_WORKER_SEED: Final = "ec2_registry_seed"
_WORKER_DATA: Final = "ec2_registry_data"


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
    parser.addini("ec2_registry_region", "Default region of the registry.", default=DEFAULT_REGION)
    parser.addini(
        "ec2_registry_account_id",
        "Account that owns registered images.",
        default=DEFAULT_ACCOUNT_ID,
    )
    parser.addini(
        "ec2_registry_verify_signatures",
        "Check SigV4/SigV2 signatures against the registry's credentials.",
        type="bool",
        default=False,
    )
    parser.addini(
        "ec2_registry_idle_timeout",
        "Seconds an idle keep-alive connection to the fake stays open.",
        default="5",
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
        "ec2_registry(strict=False, region=..., account_id=..., pending_describes=0, "
        "deregistered_describes=0, images=[], "
        "snapshots=[], manifests=[], verify_signatures=False): configure this test's "
        "ec2_registry.",
    )
    config.addinivalue_line(
        "markers",
        "ec2_fault(action, code, message=None, *, status=None, times=1, when=None, "
        "after_commit=False): inject an EC2 error, as Ec2Registry.fail(); stackable.",
    )
    _check_ini(config)
    config.stash[SEED_KEY] = _resolve_seed(config)
    config.stash[DATA_KEY] = _load_data(config)
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(
            _XdistHandover(config.stash[SEED_KEY], config.stash[DATA_KEY]), "ec2image-xdist"
        )


def _check_ini(config: pytest.Config) -> None:
    """Fail the run once, up front, on an ini value every test would trip over."""
    for name in ("ec2_registry_strict", "ec2_registry_autowire"):
        try:
            config.getini(name)
        except (ValueError, pytest.UsageError) as error:  # pytest >= 9 raises UsageError
            raise pytest.UsageError(f"ini option {name}: {error}") from None
    account_id = str(config.getini("ec2_registry_account_id"))
    if not is_account_id(account_id):
        raise pytest.UsageError(
            f"ini option ec2_registry_account_id: {account_id!r} is not an AWS account id "
            "(12 digits)"
        )
    if not str(config.getini("ec2_registry_region")).strip():
        raise pytest.UsageError("ini option ec2_registry_region: empty region name")
    idle = str(config.getini("ec2_registry_idle_timeout")).strip()
    if not _positive_seconds(idle):
        raise pytest.UsageError(
            f"ini option ec2_registry_idle_timeout: {idle!r} is not a positive number of "
            "seconds (at most 86400)"
        )


def _positive_seconds(text: str) -> bool:
    # Up to a day, as hosting.connections.MAX_IDLE_TIMEOUT (not imported: it loads werkzeug).
    try:
        return 0 < float(text) <= 86400
    except ValueError:
        return False


def _resolve_seed(config: pytest.Config) -> int:
    """The run's base seed: the xdist controller's, else the option, else ini, else random."""
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None and _WORKER_SEED in worker_input:
        return int(worker_input[_WORKER_SEED])
    seed: int | None = config.getoption("ec2_registry_seed")
    if seed is not None:
        return seed
    ini = str(config.getini("ec2_registry_seed")).strip()
    if ini:
        try:
            return seed_value(ini)
        except argparse.ArgumentTypeError as error:
            raise pytest.UsageError(f"ini option ec2_registry_seed: {error}") from None
    return random.getrandbits(32)


def _load_data(config: pytest.Config) -> datafile.Preload:
    """The data file's preload: the option's path (relative to the invocation directory),
    else the ini's (relative to the ini file), else nothing. Read once per run."""
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None and _WORKER_DATA in worker_input:
        preload: datafile.Preload = worker_input[_WORKER_DATA]
        return preload
    option: str | None = config.getoption("ec2_registry_data")
    ini = str(config.getini("ec2_registry_data")).strip()
    if option is not None:
        path = config.invocation_params.dir / option
    elif ini:
        path = (config.inipath.parent if config.inipath else config.rootpath) / ini
    else:
        return datafile.empty()
    try:
        return datafile.load_data(
            Path(path),
            region=str(config.getini("ec2_registry_region")),
            account_id=str(config.getini("ec2_registry_account_id")),
        )
    except datafile.DataFileError as error:
        raise pytest.UsageError(str(error)) from None


class _XdistHandover:
    """Hands the controller's seed and data file to every xdist worker, so a test gets the
    same ids on any worker as in a serial run (registered only when xdist is present)."""

    def __init__(self, seed: int, preload: datafile.Preload) -> None:
        self.seed = seed
        self.preload = preload

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_WORKER_SEED] = self.seed
        node.workerinput[_WORKER_DATA] = self.preload


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.stash[SEED_KEY]
    return f"ec2-registry: seed={seed} (reproduce with --ec2-registry-seed={seed})"


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ec2_registry_server(pytestconfig: pytest.Config) -> Iterator[Ec2Server]:
    """The fake EC2 endpoint: one per process (so one per xdist worker), bound to 127.0.0.1
    on a free port, started on first use and stopped at the end of the session. It keeps
    HTTP/1.1 connections open (``ec2_registry_idle_timeout`` seconds when idle)."""
    from .hosting.server import Ec2Server

    server = Ec2Server(idle_timeout=float(pytestconfig.getini("ec2_registry_idle_timeout")))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _mark_text(mark: pytest.Mark) -> str:
    args = [repr(a) for a in mark.args] + [f"{k}={v!r}" for k, v in mark.kwargs.items()]
    return f"@pytest.mark.{mark.name}({', '.join(args)})"


def _bind_marker(
    bind: Callable[..., dict[str, Any]], mark: pytest.Mark, nodeid: str
) -> dict[str, Any]:
    """``bind(*mark.args, **mark.kwargs)`` (a binder of :mod:`.markers`); misuse is a usage
    error naming the test and the marker as written."""
    __tracebackhide__ = True
    try:
        return bind(*mark.args, **mark.kwargs)
    except (TypeError, ValueError) as error:
        raise pytest.UsageError(f"{nodeid}: {_mark_text(mark)}: {error}") from None


def registry_config(item: pytest.Item) -> dict[str, Any]:
    """The registry settings of one test: ini, then data file, then markers (closest wins)."""
    __tracebackhide__ = True
    config = item.config
    settings: dict[str, Any] = {
        "strict": config.getini("ec2_registry_strict"),
        "region": config.getini("ec2_registry_region"),
        "account_id": config.getini("ec2_registry_account_id"),
        "verify_signatures": config.getini("ec2_registry_verify_signatures"),
    }
    preload = config.stash[DATA_KEY]
    for mark in reversed(list(item.iter_markers("ec2_registry"))):
        values = _bind_marker(markers.registry_settings, mark, item.nodeid)
        # A marker entry replaces a data-file (or farther marker) entry for the same thing.
        preload = datafile.merge(preload, {k: values.pop(k, ()) for k in datafile.KINDS})
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
    from .registry import Ec2Registry, state_of

    __tracebackhide__ = True
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
    for mark in _fault_marks(item):
        try:
            registry.fail(**_bind_marker(markers.fault_arguments, mark, item.nodeid))
        except (TypeError, ValueError) as error:
            raise pytest.UsageError(f"{item.nodeid}: {_mark_text(mark)}: {error}") from None
    if item.config.getini("ec2_registry_autowire"):
        monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", registry.endpoint_url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", registry.access_key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", registry.secret_access_key)
        monkeypatch.setenv("AWS_DEFAULT_REGION", registry.region)
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
    item.stash[REGISTRY_KEY] = registry
    state = state_of(registry)
    ec2_registry_server.bind(state, registry)
    try:
        yield registry
    finally:
        ec2_registry_server.bind(None)
        # Its clients' pooled connections end with the test, so none outlives it.
        ec2_registry_server.close_idle_connections()
        state.faults.release()
    errors = state.errors.take()
    if errors:
        __tracebackhide__ = False  # pytrace=False shows no frames; hiding adds a notice
        details = "\n".join(f"--- while serving {action}:\n{text}" for action, _, text in errors)
        pytest.fail(
            f"pytest-ec2image hit {len(errors)} internal error(s) while serving this test; "
            f"the client got InternalError (500).\n{details}",
            pytrace=False,
        )
    warn_unimplemented(registry)


def warn_unimplemented(registry: Ec2Registry) -> None:
    """One ``UnimplementedActionWarning`` per real EC2 action the test called that the fake
    does not implement (each call got ``InvalidAction``); the calls are forgotten after."""
    from .actions.unimplemented import UnimplementedActionWarning, warning_text
    from .registry import state_of

    state = state_of(registry)
    with state.lock:
        called, state.unimplemented = state.unimplemented, []
    for action, count in Counter(called).items():
        warnings.warn(UnimplementedActionWarning(warning_text(action, count)), stacklevel=2)


@pytest.hookimpl(trylast=True)  # after -k/-m deselection: check only the tests that run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Check every ``ec2_registry`` and ``ec2_fault`` marker once, at collection, so misuse
    stops the run as a usage error instead of erroring test by test."""
    if hasattr(config, "workerinput"):
        # An xdist worker cannot stop the run cleanly (xdist reports a crash); there the
        # fixture raises the same usage error, for the tests concerned.
        return
    for item in items:
        # This hook runs in every run of every project that installs the plugin: tests that
        # do not use the fixture cannot be affected by its markers, so they cost nothing.
        if "ec2_registry" not in getattr(item, "fixturenames", ()):
            continue
        for mark in item.iter_markers("ec2_registry"):
            _bind_marker(markers.registry_settings, mark, item.nodeid)
        faults = _fault_marks(item)
        if faults:
            from .actions import check_fault
            from .faults import Fault

            for mark in faults:
                try:
                    arguments = _bind_marker(markers.fault_arguments, mark, item.nodeid)
                    check_fault(Fault(kind="fail", **arguments))
                except (TypeError, ValueError) as error:
                    raise pytest.UsageError(f"{item.nodeid}: {_mark_text(mark)}: {error}") from None


def _fault_marks(item: pytest.Item) -> list[pytest.Mark]:
    """``ec2_fault`` marks in the order a reader meets them: module, class, then function,
    and top to bottom within each (the order the faults are consumed in)."""
    marks: list[pytest.Mark] = []
    for node in item.listchain():
        own = [m for m in node.own_markers if m.name == "ec2_fault"]
        # Decorators apply bottom-up, so a function's list holds the lowest one first;
        # a pytestmark list (module, class) is already in reading order.
        marks += reversed(own) if isinstance(node, pytest.Function) else own
    return marks


def report_lines(registry: Ec2Registry) -> list[str]:
    """The ``ec2-registry calls`` section: one line per call, then any fault that did not
    fire as often as asked, with why each call of its action did not meet it."""
    from .fault_report import explain_unspent
    from .registry import state_of

    calls = list(registry.calls)
    lines = [c.summary() for c in calls] or ["(no calls)"]
    unspent = state_of(registry).faults.unspent()
    if unspent:
        lines += ["", "faults that did not fire as asked:"]
        lines += explain_unspent(unspent, calls)
    return lines


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    registry = item.stash.get(REGISTRY_KEY, None)
    if registry is not None:
        # Once per test: a failed call phase and a failed teardown would repeat it.
        if report.failed and not item.stash.get(_REPORTED_KEY, False):
            item.stash[_REPORTED_KEY] = True
            report.sections.append((REPORT_SECTION, "\n".join(report_lines(registry))))
        if call.when == "teardown":
            # Items live until the session ends; their registries need not.
            del item.stash[REGISTRY_KEY]
    return report
