"""The conformance test (issue 13, item 5): what every served action does the same way.

Parametrized over the action table ``pytest_ec2image.actions.ACTIONS``, so an action is covered
the moment it is in the table (and the suite fails until ``tests/action_examples.py`` has a
minimal valid request for it): DryRun, unknown parameters, the three ways to inject a fault,
the call log and the failure report section, and the wire parameter names against botocore's
model of the operation.

Raw requests go in-process through ``werkzeug.test.Client`` against the request pipeline (no
socket); what the issue says goes "through boto3" goes over HTTP to the fixture's endpoint.
"""

from __future__ import annotations

import fnmatch
import json
import re
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.serialize import create_serializer
from werkzeug.test import Client

from pytest_ec2image import Ec2Registry
from pytest_ec2image.actions import ACTIONS
from pytest_ec2image.hosting.pipeline import Pipeline
from pytest_ec2image.registry import state_of
from pytest_ec2image.wire.query import shape_of
from tests import action_examples
from tests.action_examples import EXAMPLES, World, call, operation, prepare, wire
from tests.conftest import RawAnswer

SERVED = sorted(ACTIONS)
DRY_RUN_ACTIONS = [name for name in SERVED if ACTIONS[name].takes_dry_run]
LEGACY_VERSION = "2009-10-31"
DRY_RUN_MESSAGE = "Request would have succeeded, but DryRun flag is set."
_EXAMPLES_FILE = "tests/action_examples.py"
#: One attempt per call: botocore retries RequestLimitExceeded, which would spend a fault
#: armed for one call and then succeed. (``max_attempts`` counts retries, not attempts.)
ONE_ATTEMPT = Config(retries={"mode": "standard", "total_max_attempts": 1})

#: Members of botocore's input shape the fake does not serve: action -> {wire shape: reason}.
#: The docs (docs/reference/actions/) list the same ones. None today: botocore 1.44.8 (the
#: newest when this was written) and the fake's table agree exactly for every action.
NOT_SERVED: dict[str, dict[str, str]] = {}

#: Wire parameters the fake serves that botocore 1.38.28, the oldest botocore the suite supports
#: (the ``lowest`` tox env), does not have yet: a client built with it cannot send them, so their
#: absence from its model is expected, not a wrong name in the fake's table.
NEWER_THAN_BOTOCORE_FLOOR: dict[str, frozenset[str]] = {
    "RegisterImage": frozenset(
        {
            "BlockDeviceMapping.N.Ebs.AvailabilityZone",
            "BlockDeviceMapping.N.Ebs.AvailabilityZoneId",
            "BlockDeviceMapping.N.Ebs.EbsCardIndex",
        }
    ),
    "CopyImage": frozenset({"DestinationAvailabilityZone", "DestinationAvailabilityZoneId"}),
}


# --- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture
def world(ec2_registry: Ec2Registry) -> World:
    return prepare(ec2_registry)


@pytest.fixture
def wsgi(ec2_registry: Ec2Registry) -> Client:
    """The request pipeline in-process, serving this test's registry (the fixture's teardown
    still raises any internal error the pipeline recorded)."""
    pipeline = Pipeline()
    pipeline.bind(state_of(ec2_registry), ec2_registry)
    return Client(pipeline)


_CLIENTS: dict[tuple[str, str], Any] = {}


@pytest.fixture
def client(ec2_registry: Ec2Registry) -> Any:
    """A boto3 client over HTTP to the fixture's endpoint, making one attempt per call. The
    endpoint is the session's server, so one client per endpoint serves every test (building
    a boto3 client costs more than the calls these tests make)."""
    key = (ec2_registry.endpoint_url, ec2_registry.region)
    if key not in _CLIENTS:
        _CLIENTS[key] = ec2_registry.client(config=ONE_ATTEMPT)
    return _CLIENTS[key]


def example(name: str, world: World) -> dict[str, Any]:
    if name not in EXAMPLES:
        pytest.fail(f"no example request for {name}: add one to EXAMPLES in {_EXAMPLES_FILE}")
    return EXAMPLES[name](world)


def post(wsgi: Client, params: dict[str, str]) -> RawAnswer:
    answer = wsgi.post("/", data=params)
    return RawAnswer(answer.status_code, answer.get_data(), dict(answer.headers))


def snapshot(wsgi: Client) -> dict[str, Any]:
    """The whole registry state (``GET /_ec2image/state``) minus the faults, which change as
    they are spent."""
    state: dict[str, Any] = wsgi.get("/_ec2image/state").get_json()
    del state["faults"]
    return state


def error_of(client: Any, name: str, kwargs: dict[str, Any]) -> tuple[str, int, str]:
    """``(code, HTTP status, message)`` of the ClientError this boto3 call raises."""
    with pytest.raises(ClientError) as raised:
        call(client, name, kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


# --- the example table -------------------------------------------------------------------------


def test_every_action_in_the_table_has_an_example_request():
    assert set(EXAMPLES) == set(ACTIONS), (
        f"{_EXAMPLES_FILE} needs exactly one minimal valid request per action of "
        f"pytest_ec2image.actions.ACTIONS: add EXAMPLES entries for "
        f"{sorted(set(ACTIONS) - set(EXAMPLES)) or 'none'} (boto3 kwargs built from the "
        f"World that prepare() sets up; extend prepare() if the action needs more), remove "
        f"{sorted(set(EXAMPLES) - set(ACTIONS)) or 'none'}"
    )


@pytest.mark.parametrize("name", SERVED)
def test_the_example_succeeds_and_the_call_log_shows_it(ec2_registry, world, client, name):
    kwargs = example(name, world)
    answer = call(client, name, kwargs)

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    last = ec2_registry.calls[-1]
    assert (last.action, last.status, last.error_code) == (name, 200, None)
    assert wire(name, kwargs).items() <= last.params.items()
    assert last.request_id == answer["ResponseMetadata"]["RequestId"]
    # prepare() preloads through the Python API: the example is the only call.
    assert ec2_registry.calls.of(name) == [last]
    assert len(ec2_registry.calls) == 1


# --- DryRun ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DRY_RUN_ACTIONS)
def test_dry_run_answers_412_and_changes_nothing(ec2_registry, world, client, wsgi, name):
    kwargs = example(name, world)
    before = snapshot(wsgi)

    assert error_of(client, name, {**kwargs, "DryRun": True}) == (
        "DryRunOperation",
        412,
        DRY_RUN_MESSAGE,
    )
    assert snapshot(wsgi) == before
    last = ec2_registry.calls[-1]
    assert (last.action, last.status, last.params["DryRun"]) == (name, 412, "true")
    # "Would have succeeded": it does, and DryRun=false is a real call.
    call(client, name, {**kwargs, "DryRun": False})
    assert ec2_registry.calls[-1].status == 200


@pytest.mark.parametrize("name", DRY_RUN_ACTIONS)
def test_dry_run_on_the_wire_exists_only_in_todays_api(world, wsgi, name):
    params = wire(name, example(name, world))
    before = snapshot(wsgi)

    answer = post(wsgi, {**params, "DryRun": "true"})
    assert (answer.status, answer.code, answer.message) == (
        412,
        "DryRunOperation",
        DRY_RUN_MESSAGE,
    )

    # The 2009-10-31 generation predates DryRun: it is an unknown parameter there, never 412.
    legacy = ACTIONS[name].legacy_params
    if legacy is None:
        expected = (400, "InvalidAction")
        known = params
    else:
        expected = (400, "UnknownParameter")
        known = {k: v for k, v in params.items() if shape_of(k) in legacy}
    answer = post(wsgi, {**known, "Version": LEGACY_VERSION, "DryRun": "true"})
    assert (answer.status, answer.code) == expected
    if legacy is not None:
        assert answer.message == "The parameter DryRun is not recognized"
    assert snapshot(wsgi) == before


@pytest.mark.parametrize("name", DRY_RUN_ACTIONS)
def test_a_dry_run_draws_no_id_and_no_date(name):
    """After a dry run, the next request is answered byte for byte as after a refused one in a
    registry of the same seed and clock: the dry run took no image id, snapshot id or
    creation date from the registry's sources (which the test's reproducible ids rest on)."""
    answers = []
    for first, refused in (({"DryRun": "true"}, 412), ({"Bogus": "1"}, 400)):
        registry = Ec2Registry(seed=13)
        registry.clock = datetime(2030, 1, 1, tzinfo=timezone.utc)
        pipeline = Pipeline()
        pipeline.bind(state_of(registry), registry)
        wsgi = Client(pipeline)
        params = wire(name, example(name, prepare(registry)))
        assert post(wsgi, {**params, **first}).status == refused
        answer = post(wsgi, params)
        assert answer.status == 200, answer.body
        answers.append((answer.body, snapshot(wsgi)))
    assert answers[0] == answers[1]


# --- unknown parameters ------------------------------------------------------------------------


@pytest.mark.parametrize("name", SERVED)
def test_an_unknown_parameter_is_refused_by_name(ec2_registry, world, wsgi, name):
    params = wire(name, example(name, world))
    before = snapshot(wsgi)

    answer = post(wsgi, {**params, "Bogus": "1"})

    assert (answer.status, answer.code) == (400, "UnknownParameter")
    assert answer.message == "The parameter Bogus is not recognized"
    assert snapshot(wsgi) == before
    last = ec2_registry.calls[-1]
    assert (last.action, last.error_code) == (name, "UnknownParameter")
    # The same request without it is served: the example itself was not what was refused.
    assert post(wsgi, params).status == 200


# --- faults ------------------------------------------------------------------------------------


def _fail(registry: Ec2Registry, name: str) -> None:
    registry.fail(name, "UnauthorizedOperation", "conformance: injected")


def _throttle(registry: Ec2Registry, name: str) -> None:
    registry.throttle(name)


def _control_api(registry: Ec2Registry, name: str) -> None:
    spec = {"kind": "fail", "action": name, "code": "AuthFailure", "message": "via control API"}
    request = urllib.request.Request(
        registry.endpoint_url.rstrip("/") + "/_ec2image/faults",
        data=json.dumps(spec).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201
        assert json.load(answer)["fault"]["action"] == name


FAULTS = {
    "fail": (_fail, ("UnauthorizedOperation", 403, "conformance: injected")),
    "throttle": (_throttle, ("RequestLimitExceeded", 503, "Request limit exceeded.")),
    "control-api": (_control_api, ("AuthFailure", 401, "via control API")),
}


@pytest.mark.parametrize("kind", FAULTS)
@pytest.mark.parametrize("name", SERVED)
def test_an_injected_fault_fires_for_the_action(ec2_registry, world, client, wsgi, name, kind):
    arm, (code, status, message) = FAULTS[kind]
    kwargs = example(name, world)
    before = snapshot(wsgi)
    arm(ec2_registry, name)

    assert error_of(client, name, kwargs) == (code, status, message)
    # A fault answers before the handler runs: nothing changed, and it was this one call.
    assert snapshot(wsgi) == before
    [faulted] = ec2_registry.calls.of(name)
    assert faulted.fault is not None
    assert (faulted.status, faulted.error_code) == (status, code)
    # Armed for one call (times=1): the next one is served.
    call(client, name, kwargs)
    assert ec2_registry.calls[-1].status == 200


# --- the failure report section ----------------------------------------------------------------

_INNER = """
import pytest

import action_examples as ex

CLIENTS = {{}}


@pytest.mark.parametrize("action", {actions!r})
def test_action(ec2_registry, action):
    world = ex.prepare(ec2_registry)
    if ec2_registry.endpoint_url not in CLIENTS:
        CLIENTS[ec2_registry.endpoint_url] = ec2_registry.client()
    ex.call(CLIENTS[ec2_registry.endpoint_url], action, ex.EXAMPLES[action](world))
    assert False, "fail, so that the report shows the calls"
"""
_TEST_HEADER = re.compile(r"^_+ test_action\[(\w+)\] _+$")


def test_the_failure_report_section_shows_every_action(pytester):
    pytester.makepyfile(
        action_examples=Path(action_examples.__file__).read_text(encoding="utf-8"),
        test_inner=_INNER.format(actions=SERVED),
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=len(SERVED))
    result.stdout.fnmatch_lines(["*- ec2-registry calls -*"])

    # Each failed test's section, by the test it belongs to: its first line is the one call.
    first_lines: dict[str, str] = {}
    current = None
    lines = result.outlines
    for index, line in enumerate(lines):
        header = _TEST_HEADER.match(line)
        if header:
            current = header.group(1)
        elif "- ec2-registry calls -" in line and current is not None:
            first_lines[current] = lines[index + 1]
    assert sorted(first_lines) == SERVED
    for name, line in first_lines.items():
        assert fnmatch.fnmatch(line, f"{name} *-> 200*"), (name, line)


# --- wire parameter names against botocore's model ---------------------------------------------


def query_name(member: Any, default: str) -> str:
    """A member's EC2 query name, as botocore's ``EC2Serializer._get_serialized_name``: its
    ``queryName``, else its ``locationName`` capitalised, else the member name."""
    serialization = member.serialization
    if "queryName" in serialization:
        return str(serialization["queryName"])
    if "name" in serialization:
        name = str(serialization["name"])
        return name[0].upper() + name[1:]
    return default


def wire_shapes(shape: Any, prefix: str = "", depth: int = 0) -> set[str]:
    """The wire parameter shapes (``Filter.N.Value.N``) of an EC2 input shape, as
    ``ACTIONS[name].params`` spells them: structures joined with ``.``, lists always flattened
    to ``.N`` (EC2 ignores the list member's own name), scalars as they are."""
    if depth > 12:
        raise AssertionError(f"{prefix}: a recursive input shape; EC2 inputs have none")
    if shape.type_name == "structure":
        names: set[str] = set()
        for key, member in shape.members.items():
            name = query_name(member, key)
            names |= wire_shapes(member, f"{prefix}.{name}" if prefix else name, depth + 1)
        return names
    if shape.type_name == "list":
        return wire_shapes(shape.member, f"{prefix}.N", depth + 1)
    if shape.type_name == "map":
        raise AssertionError(f"{prefix}: a map in an EC2 input; teach wire_shapes its form")
    return {prefix}


def operation_shapes(name: str) -> set[str]:
    input_shape = operation(name).input_shape
    members = set() if input_shape is None else wire_shapes(input_shape)
    return members | {"Action", "Version"}


def sample(shape: Any) -> Any:
    """A value for ``shape`` with every member set and every list of one entry."""
    kind = shape.type_name
    if kind == "structure":
        return {key: sample(member) for key, member in shape.members.items()}
    if kind == "list":
        return [sample(shape.member)]
    values = {
        "boolean": True,
        "integer": 1,
        "long": 1,
        "float": 1.5,
        "double": 1.5,
        "timestamp": datetime(2030, 1, 1, tzinfo=timezone.utc),
        "blob": b"x",
    }
    return values.get(kind, "x")


@pytest.mark.parametrize("name", SERVED)
def test_the_flattening_is_the_one_botocore_sends(name):
    model = operation(name)
    body = create_serializer("ec2", include_validation=False).serialize_to_request(
        sample(model.input_shape), model
    )["body"]
    assert {shape_of(key) for key in body} == operation_shapes(name)


@pytest.mark.parametrize("name", SERVED)
def test_the_wire_parameters_are_botocores_minus_the_documented_exceptions(name):
    served = ACTIONS[name].params
    modelled = operation_shapes(name)
    not_served = NOT_SERVED.get(name, {})
    version = botocore.__version__

    stale = sorted(set(not_served) & served)
    assert not stale, f"NOT_SERVED lists {stale} for {name}, which the fake now serves"
    # The direction that matters: everything a client built with this botocore can send, the
    # fake serves (or its reference page in docs/ says it does not). An older botocore knows
    # fewer members, which never fails this.
    unserved = sorted(modelled - served - set(not_served))
    assert not unserved, (
        f"botocore {version} sends {name} parameters the fake does not know: {unserved}. "
        f"Serve them (pytest_ec2image/actions/parameters.py and the handler), or list each "
        f"in NOT_SERVED with a one-line reason and in its docs page"
    )
    # The other way, a name botocore does not model is a typo in the table, unless it is one
    # of the members newer than the oldest botocore the suite runs with.
    unmodelled = sorted(served - modelled - NEWER_THAN_BOTOCORE_FLOOR.get(name, frozenset()))
    assert not unmodelled, (
        f"ACTIONS[{name!r}].params has {unmodelled}, which botocore {version}'s model of "
        f"{name} does not: a wrong wire name, or a member newer than botocore 1.38.28 (then "
        f"add it to NEWER_THAN_BOTOCORE_FLOOR)"
    )
