"""``Ec2Registry``: what a test holds. It reads and seeds the fake's state and builds clients.

The HTTP side lives in :mod:`pytest_ec2image.server`; both work on one
:class:`~pytest_ec2image.store.RegistryState`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, final

from .errors import Ec2Error
from .faults import Fault, Matcher
from .ids import ClockSource
from .model import BlockDeviceMapping, Call, CallLog, EbsBlockDevice, Image, Snapshot, StateReason
from .register import check_description, check_name
from .store import RegistryState
from .validation import check_tag, is_resource_id

if TYPE_CHECKING:
    from botocore.client import BaseClient

DEFAULT_REGION: Final = "us-east-1"
DEFAULT_ACCOUNT_ID: Final = "123456789012"
#: The credentials the fixture puts in the environment: AWS's documented example pair, never a
#: real one, so code under test cannot reach AWS by accident with them.
TEST_ACCESS_KEY_ID: Final = "AKIAIOSFODNN7EXAMPLE"
TEST_SECRET_ACCESS_KEY: Final = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

_IMAGE_FIELDS = frozenset(f.name for f in fields(Image))


def _mapping_from(value: BlockDeviceMapping | Mapping[str, Any]) -> BlockDeviceMapping:
    if isinstance(value, BlockDeviceMapping):
        return value
    data = dict(value)
    ebs = data.pop("ebs", None)
    if ebs is not None and not isinstance(ebs, EbsBlockDevice):
        ebs = EbsBlockDevice(**ebs)
    return BlockDeviceMapping(ebs=ebs, **data)


@final
class Ec2Registry:
    """The fake EC2 image registry one test talks to.

    The ``ec2_registry`` fixture yields one with empty state; ``run_registry()`` starts one
    outside pytest. Every member reads or changes the state the HTTP endpoint serves.
    """

    def __init__(
        self,
        *,
        endpoint_url: str = "",
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        strict: bool = False,
        seed: int | None = None,
        scope: str = "",
        pending_describes: int = 0,
        images: Iterable[Mapping[str, Any]] = (),
        snapshots: Iterable[Mapping[str, Any]] = (),
        manifests: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        if not account_id.isdigit() or len(account_id) != 12:
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        self.seed = seed if seed is not None else random.getrandbits(32)
        self._state = RegistryState(
            region=region,
            account_id=account_id,
            strict=strict,
            seed=self.seed,
            scope=scope,
            pending_describes=pending_describes,
        )
        self._region = region
        self.endpoint_url = endpoint_url
        self._preload = (tuple(snapshots), tuple(manifests), tuple(images))
        self._on_close: Callable[[], None] | None = None
        self._apply_preload()

    @classmethod
    def _view(cls, source: Ec2Registry, region: str) -> Ec2Registry:
        view = cls.__new__(cls)
        view.__dict__.update(source.__dict__)
        view._region = region
        return view

    def _apply_preload(self) -> None:
        snapshots, manifests, images = self._preload
        for snapshot in snapshots:
            self.add_snapshot(**snapshot)
        for manifest in manifests:
            self.add_manifest(**manifest)
        for image in images:
            self.add_image(**image)

    # --- where it is -----------------------------------------------------------------------

    @property
    def region(self) -> str:
        """The region this view reads and writes (the registry's default for the fixture)."""
        return self._region

    @property
    def account_id(self) -> str:
        """The account that owns what the test registers (``Owner=self``)."""
        return self._state.account_id

    @property
    def strict(self) -> bool:
        """Strict references: only declared snapshots, manifests and kernels exist."""
        return self._state.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self._state.strict = value

    @property
    def pending_describes(self) -> int:
        """Images report ``pending`` for this many DescribeImages views, then ``available``."""
        return self._state.pending_describes

    @pending_describes.setter
    def pending_describes(self, value: int) -> None:
        if value < 0:
            raise ValueError(f"pending_describes must be >= 0, got {value}")
        self._state.pending_describes = value

    @property
    def clock(self) -> ClockSource:
        """Where creation dates come from: UTC now by default; set a ``datetime`` (fixed) or a
        callable returning one. Dates stay strictly increasing either way."""
        return self._state.clock.source

    @clock.setter
    def clock(self, source: ClockSource) -> None:
        self._state.clock.source = source

    @property
    def access_key_id(self) -> str:
        """The test access key the fixture exports as ``AWS_ACCESS_KEY_ID``."""
        return TEST_ACCESS_KEY_ID

    @property
    def secret_access_key(self) -> str:
        """The test secret the fixture exports as ``AWS_SECRET_ACCESS_KEY``."""
        return TEST_SECRET_ACCESS_KEY

    def in_region(self, name: str) -> Ec2Registry:
        """The same registry seen from region ``name``: its images, snapshots and helpers."""
        return Ec2Registry._view(self, name)

    # --- what it holds ---------------------------------------------------------------------

    @property
    def images(self) -> Mapping[str, Image]:
        """Images of this region by id, in registration order (read-only copy)."""
        with self._state.lock:
            return MappingProxyType(dict(self._state.region(self._region).images))

    @property
    def snapshots(self) -> Mapping[str, Snapshot]:
        """Snapshots this region knows, declared or recorded from registrations."""
        with self._state.lock:
            return MappingProxyType(dict(self._state.region(self._region).snapshots))

    @property
    def manifests(self) -> Mapping[str, str | None]:
        """Declared manifest locations and their content (``None``: a valid default)."""
        with self._state.lock:
            return MappingProxyType(dict(self._state.region(self._region).manifests))

    @property
    def calls(self) -> CallLog:
        """Every request served, oldest first; ``calls.of("RegisterImage")`` filters."""
        return CallLog(self._state.calls)

    # --- seeding state ---------------------------------------------------------------------

    def add_image(self, name: str, **fields_: Any) -> Image:
        """Preload an image as if it had been registered earlier.

        ``fields_`` are :class:`Image` fields (``state``, ``owner_id``, ``tags``,
        ``creation_date``, ``block_device_mappings`` as objects or dicts, ...). The name rules
        and the per-account duplicate rule apply, so a preload cannot hold what AWS could not.
        """
        unknown = sorted(set(fields_) - _IMAGE_FIELDS)
        if unknown:
            raise TypeError(f"add_image() got unknown fields: {', '.join(unknown)}")
        check_name(name, seed=False)
        if fields_.get("description") is not None:
            check_description(fields_["description"])
        state = self._state
        with state.lock:
            region_name = fields_.pop("region", self._region)
            region = state.region(region_name)
            owner = fields_.pop("owner_id", state.account_id)
            image_id = fields_.pop("image_id", None) or state.new_image_id(region, short=False)
            if image_id in region.images:
                raise ValueError(f"an image with id {image_id} already exists")
            holder = region.name_holder(owner, name)
            if holder is not None:
                raise ValueError(f"AMI name {name} is already in use by AMI {holder}")
            if "block_device_mappings" in fields_:
                fields_["block_device_mappings"] = tuple(
                    _mapping_from(m) for m in fields_["block_device_mappings"]
                )
            tags = dict(fields_.pop("tags", {}))
            for key, value in tags.items():
                check_tag(key, value)
            reason = fields_.pop("state_reason", None)
            if isinstance(reason, Mapping):
                reason = StateReason(**reason)
            image = Image(
                image_id=image_id,
                name=name,
                owner_id=owner,
                region=region_name,
                creation_date=fields_.pop("creation_date", None) or state.clock.next_date(),
                image_location=fields_.pop("image_location", None) or f"{owner}/{name}",
                tags=MappingProxyType(tags),
                state_reason=reason,
                **fields_,
            )
            region.insert(image)
            return image

    def add_snapshot(
        self,
        snapshot_id: str | None = None,
        *,
        size: int = 8,
        encrypted: bool = False,
        state: str = "completed",
    ) -> Snapshot:
        """Declare a snapshot (a fresh id when ``snapshot_id`` is ``None``); in strict mode only
        declared snapshots exist. ``state`` other than ``completed`` makes RegisterImage fail
        with ``IncorrectState``."""
        core = self._state
        with core.lock:
            region = core.region(self._region)
            if snapshot_id is None:
                snapshot_id = core.ids.resource_id("snap")
            elif not is_resource_id("snap", snapshot_id):
                raise ValueError(f"{snapshot_id!r} is not a snapshot id (snap- + 8 or 17 hex)")
            if size < 1:
                raise ValueError(f"snapshot size must be at least 1 GiB, got {size}")
            snapshot = Snapshot(
                snapshot_id=snapshot_id,
                owner_id=core.account_id,
                region=self._region,
                size=size,
                encrypted=encrypted,
                state=state,
            )
            region.snapshots[snapshot_id] = snapshot
            region.missing_snapshots.discard(snapshot_id)
            return snapshot

    def add_manifest(self, location: str, content: str | None = None) -> str:
        """Declare an S3 bundle manifest at ``location`` (``None`` content: a valid default)."""
        with self._state.lock:
            region = self._state.region(self._region)
            region.manifests[location] = content
            region.missing_manifests.discard(location)
        return location

    def missing_snapshot(self, snapshot_id: str) -> None:
        """Make ``snapshot_id`` not exist: RegisterImage gets ``InvalidSnapshot.NotFound``."""
        with self._state.lock:
            self._state.region(self._region).missing_snapshots.add(snapshot_id)

    def missing_manifest(self, location: str) -> None:
        """Make the manifest at ``location`` not exist: RegisterImage gets ``InvalidManifest``."""
        with self._state.lock:
            self._state.region(self._region).missing_manifests.add(location)

    def duplicate_name(self, name: str) -> Image:
        """An image named ``name`` already exists in the account: registering it again gets
        ``InvalidAMIName.Duplicate``."""
        return self.add_image(name)

    def fail_image(self, image_id_or_name: str, reason: str = "Image failed to register") -> Image:
        """Put an image in state ``failed`` with a ``stateReason`` (waiters then raise)."""
        with self._state.lock:
            region = self._state.region(self._region)
            image = region.images.get(image_id_or_name)
            if image is None:
                holder = region.name_holder(self._state.account_id, image_id_or_name)
                image = region.images.get(holder) if holder else None
            if image is None:
                known = ", ".join(f"{i.image_id} ({i.name})" for i in region.images.values())
                raise KeyError(
                    f"no image {image_id_or_name!r} in {self._region}; images: {known or 'none'}"
                )
            failed = replace(
                image,
                state="failed",
                state_reason=StateReason("Client.InvalidImage", reason),
            )
            region.replace(failed)
            return failed

    # --- faults ----------------------------------------------------------------------------

    def fail(
        self,
        action: str,
        code: str,
        message: str | None = None,
        *,
        status: int | None = None,
        times: int | None = 1,
        when: Matcher | None = None,
        after_commit: bool = False,
    ) -> Fault:
        """The next matching ``action`` calls answer EC2 error ``code``.

        ``status`` defaults from AWS's table for the code, ``message`` from AWS's text.
        ``times=None`` fails every matching call; ``when`` is a dict of wire parameters that
        must all match, or a callable taking the :class:`Call`. ``after_commit=True`` applies
        the change first, then answers with the error.
        """
        _check_times(times)
        return self._state.faults.add(
            Fault(
                action=action,
                kind="fail",
                code=code,
                message=message,
                status=status,
                times=times,
                when=when,
                after_commit=after_commit,
            )
        )

    def throttle(self, action: str = "RegisterImage", *, times: int | None = 1) -> Fault:
        """``RequestLimitExceeded`` (503) for the next ``times`` calls of ``action``."""
        return self.fail(action, "RequestLimitExceeded", times=times)

    def delay(self, action: str, seconds: float, *, times: int | None = None) -> Fault:
        """Answer ``action`` calls ``seconds`` late; other requests are not held up."""
        _check_times(times)
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds}")
        return self._state.faults.add(
            Fault(action=action, kind="delay", seconds=seconds, times=times)
        )

    def disconnect(
        self, action: str, *, times: int | None = 1, after_commit: bool = False
    ) -> Fault:
        """Close the connection without an answer. With ``after_commit=True`` the change is
        made first: the lost-response case, where a client retry meets the first attempt's
        result (``InvalidAMIName.Duplicate`` for RegisterImage)."""
        _check_times(times)
        return self._state.faults.add(
            Fault(action=action, kind="disconnect", times=times, after_commit=after_commit)
        )

    # --- assertions ------------------------------------------------------------------------

    def assert_registered(self, **expected: Any) -> Image:
        """The one image whose fields equal ``expected``; otherwise ``AssertionError`` listing
        every image and the fields that differed."""
        __tracebackhide__ = True
        unknown = sorted(set(expected) - _IMAGE_FIELDS - {"snapshot_ids", "is_public"})
        if unknown:
            raise TypeError(f"assert_registered() got unknown fields: {', '.join(unknown)}")
        images = list(self.images.values())
        matches = [i for i in images if not _differences(i, expected)]
        if len(matches) == 1:
            return matches[0]
        wanted = ", ".join(f"{k}={v!r}" for k, v in expected.items())
        if not images:
            raise AssertionError(
                f"expected one image with {wanted} in {self._region}, but no image is registered"
            )
        if matches:
            ids = ", ".join(f"{i.image_id} ({i.name})" for i in matches)
            raise AssertionError(f"expected one image with {wanted}, found {len(matches)}: {ids}")
        lines = [f"expected one image with {wanted} in {self._region}; none matches:"]
        for image in images:
            diffs = "; ".join(
                f"{k}: {got!r} != {want!r}" for k, got, want in _differences(image, expected)
            )
            lines.append(f"  {image.image_id} ({image.name}): {diffs}")
        raise AssertionError("\n".join(lines))

    def assert_not_registered(self, name: str) -> None:
        """No image named ``name`` exists in this region."""
        __tracebackhide__ = True
        holders = [i for i in self.images.values() if i.name == name]
        if holders:
            found = ", ".join(f"{i.image_id} (state {i.state})" for i in holders)
            raise AssertionError(f"expected no image named {name!r}, found {found}")

    def assert_called(self, action: str, times: int | None = None) -> list[Call]:
        """``action`` was called (exactly ``times`` times when given); returns those calls."""
        __tracebackhide__ = True
        calls = self.calls.of(action)
        if (times is None and not calls) or (times is not None and len(calls) != times):
            want = "at least once" if times is None else f"{times} time(s)"
            seen = "\n".join(f"  {c.summary()}" for c in self.calls) or "  (no calls)"
            raise AssertionError(
                f"expected {action} to be called {want}, it was called {len(calls)} time(s); "
                f"calls:\n{seen}"
            )
        return calls

    # --- clients and lifecycle -------------------------------------------------------------

    def client(self, **kwargs: Any) -> BaseClient:
        """A boto3 EC2 client bound to this registry's endpoint, region and test credentials.

        Keyword arguments go to ``boto3.client`` and override those defaults.
        """
        try:
            import boto3
        except ImportError:
            raise RuntimeError(
                "Ec2Registry.client() needs boto3: pip install 'pytest-ec2image[boto3]'"
            ) from None
        options: dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "region_name": self._region,
            "aws_access_key_id": TEST_ACCESS_KEY_ID,
            "aws_secret_access_key": TEST_SECRET_ACCESS_KEY,
        }
        options.update(kwargs)
        client: BaseClient = boto3.client("ec2", **options)
        return client

    def reset(self) -> None:
        """Back to the configured start state: no calls, no faults, only the preloads."""
        state = self._state
        with state.lock:
            state.regions.clear()
            state.calls.clear()
            state.faults.clear()
            state.describe_views.clear()
            state.ids = type(state.ids)(state.ids.seed, state.ids.scope)
            self._apply_preload()

    def close(self) -> None:
        """Stop the server this registry started (``run_registry``); no-op for the fixture's."""
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()

    def __enter__(self) -> Ec2Registry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<Ec2Registry {self.endpoint_url or '(not served)'} region={self._region} "
            f"images={len(self._state.region(self._region).images)}>"
        )


def _check_times(times: int | None) -> None:
    if times is not None and times < 1:
        raise ValueError(f"times must be a positive number or None (always), got {times}")


def _differences(image: Image, expected: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    out = []
    for key, want in expected.items():
        got = getattr(image, key)
        if isinstance(got, Mapping):
            got = dict(got)
        if got != want:
            out.append((key, got, want))
    return out


__all__ = ["Ec2Error", "Ec2Registry"]
