"""``Ec2Registry``: what a test holds. It reads and preloads the fake's state, injects faults
and builds clients.

The HTTP side lives in :mod:`pytest_ec2image.hosting`; both work on one
:class:`~pytest_ec2image.store.RegistryState`, which the plugin, the server and the control
API reach through :func:`state_of`. Importing this module loads no action handler and no
lxml: they load when a request is first served.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, final

from . import assertions, preload
from .defaults import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    TEST_ACCESS_KEY_ID,
    TEST_SECRET_ACCESS_KEY,
)
from .errors import Ec2Error
from .faults import Fault
from .ids import is_account_id
from .injection import FaultInjection
from .model import Call, CallLog, Image, Snapshot
from .settings import RegistrySettings
from .store import RegionState, RegistryState
from .views import RegionView

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from .references import ManifestSource


@final
class Ec2Registry(RegistrySettings, FaultInjection):
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
        deregistered_describes: int = 0,
        images: Iterable[Mapping[str, Any]] = (),
        snapshots: Iterable[Mapping[str, Any]] = (),
        manifests: Iterable[Mapping[str, Any]] = (),
        verify_signatures: bool = False,
        manifest_source: ManifestSource | None = None,
    ) -> None:
        if not is_account_id(account_id):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        self.seed = seed if seed is not None else random.getrandbits(32)
        self._state = RegistryState(
            region=region,
            account_id=account_id,
            strict=strict,
            seed=self.seed,
            scope=scope,
            pending_describes=pending_describes,
            deregistered_describes=deregistered_describes,
        )
        self._state.verify_signatures = verify_signatures
        self._state.manifest_source = manifest_source
        self._state.credentials[TEST_ACCESS_KEY_ID] = (TEST_SECRET_ACCESS_KEY, None)
        self._region = region
        self.endpoint_url = endpoint_url
        self._preload = (tuple(snapshots), tuple(manifests), tuple(images))
        self._on_close: Callable[[], None] | None = None
        #: True on an ``in_region`` view: faults added through it apply to its region only.
        self._scoped = False
        self._apply_preload()

    @classmethod
    def _view(cls, source: Ec2Registry, region: str) -> Ec2Registry:
        view = cls.__new__(cls)
        view.__dict__.update(source.__dict__)
        view._region = region
        view._scoped = True  # faults added through a view apply to its region only
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

    def in_region(self, name: str) -> Ec2Registry:
        """The same registry seen from region ``name``: its images, snapshots and helpers."""
        return Ec2Registry._view(self, name)

    # --- what it holds ---------------------------------------------------------------------

    @property
    def images(self) -> Mapping[str, Image]:
        """Images of this region by id, in registration order: a live read-only view (a
        lookup is O(1) and sees what was registered a moment ago; iterating walks a snapshot
        taken when the iteration starts)."""
        return RegionView(self._state, self._region, _images, "images")

    @property
    def snapshots(self) -> Mapping[str, Snapshot]:
        """Snapshots this region knows, declared or recorded from registrations (a live
        read-only view, like :attr:`images`)."""
        return RegionView(self._state, self._region, _snapshots, "snapshots")

    @property
    def manifests(self) -> Mapping[str, str | None]:
        """Declared manifest locations and their content (``None``: a valid default); a live
        read-only view, like :attr:`images`."""
        return RegionView(self._state, self._region, _manifests, "manifests")

    @property
    def calls(self) -> CallLog:
        """Every request served, oldest first; ``calls.of("RegisterImage")`` filters."""
        return CallLog(self._state.calls)

    # --- preloading state ------------------------------------------------------------------

    def add_image(self, name: str, **fields_: Any) -> Image:
        """Preload an image as if it had been registered earlier.

        ``fields_`` are :class:`Image` fields (``state``, ``owner_id``, ``tags``,
        ``creation_date``, ``block_device_mappings`` as objects or dicts, ...): also the
        pipeline's state, ``launch_permissions`` (account ids; ``"all"`` makes it public),
        ``deprecation_time`` (a ``datetime`` or EC2's ``...Z`` text),
        ``deregistration_protection`` and ``state="disabled"``. The name rules and the
        per-account duplicate rule apply, so a preload cannot hold what AWS could not.
        """
        return preload.add_image(self._state, self._region, name, fields_)

    def add_snapshot(
        self,
        snapshot_id: str | None = None,
        *,
        size: int = 8,
        encrypted: bool = False,
        state: str = "completed",
        create_volume_permissions: Iterable[str] = (),
    ) -> Snapshot:
        """Declare a snapshot (a fresh id when ``snapshot_id`` is ``None``); in strict mode only
        declared snapshots exist. ``state`` other than ``completed`` makes RegisterImage fail
        with ``IncorrectState``. ``create_volume_permissions`` lists the account ids it is
        shared with (``"all"``: public)."""
        return preload.add_snapshot(
            self._state,
            self._region,
            snapshot_id,
            size=size,
            encrypted=encrypted,
            snapshot_state=state,
            create_volume_permissions=create_volume_permissions,
        )

    def add_manifest(self, location: str, content: str | None = None) -> str:
        """Declare an S3 bundle manifest at ``location`` (``None`` content: a valid default)."""
        return preload.add_manifest(self._state, self._region, location, content)

    def missing_snapshot(self, snapshot_id: str) -> None:
        """Make ``snapshot_id`` not exist: RegisterImage gets ``InvalidSnapshot.NotFound``."""
        preload.missing_snapshot(self._state, self._region, snapshot_id)

    def missing_manifest(self, location: str) -> None:
        """Make the manifest at ``location`` not exist: RegisterImage gets ``InvalidManifest``."""
        preload.missing_manifest(self._state, self._region, location)

    def duplicate_name(self, name: str) -> Image:
        """An image named ``name`` already exists in the account: registering it again gets
        ``InvalidAMIName.Duplicate``."""
        return self.add_image(name)

    def fail_image(
        self,
        image_id_or_name: str,
        reason: str = "Image failed to register",
        *,
        code: str = "Server.InternalError",
    ) -> Fault:
        """Make an image fail: state ``failed`` with a ``stateReason``, so waiters such as
        ``image_available`` raise ``WaiterError``.

        An existing image (by id or name) fails at once. A name no image holds yet is armed:
        the next image registered (or copied) under that name in this region fails as soon as
        it is created, which is how a test makes the code under test meet a failed bake.
        ``reason`` and ``code`` become the image's ``stateReason`` message and code.
        """
        return preload.fail_image(self._state, self._region, image_id_or_name, reason, code)

    # --- assertions ------------------------------------------------------------------------

    def assert_registered(self, **expected: Any) -> Image:
        """The one image of this region whose fields equal ``expected``.

        Otherwise raises ``AssertionError`` listing every image (closest first) with the
        fields that differed, or saying that nothing was registered at all. Fields are
        :class:`Image` fields plus ``snapshot_ids`` and ``is_public``; lists compare equal to
        tuples, and block device mappings may be given as dicts.
        """
        __tracebackhide__ = True
        return assertions.assert_registered(self._state, self._region, expected)

    def assert_not_registered(self, name: str) -> None:
        """No image named ``name`` exists in this region (deregistered ones do not count)."""
        __tracebackhide__ = True
        assertions.assert_not_registered(self.images, self._region, name)

    def assert_called(self, action: str, times: int | None = None) -> list[Call]:
        """``action`` was called (exactly ``times`` times when given, at least once when not);
        returns those calls. Failed and faulted calls count: they reached the endpoint."""
        __tracebackhide__ = True
        return assertions.assert_called(self.calls, action, times)

    # --- clients and lifecycle -------------------------------------------------------------

    def client(self, *, account_id: str | None = None, **kwargs: Any) -> BaseClient:
        """A boto3 EC2 client bound to this registry's endpoint, region and test credentials.

        With ``account_id``, the client acts for that account: it signs with a key the
        registry knows for it (``AKIAFAKE`` + the account id, added with
        :meth:`add_credentials` on first use), so what it registers is that account's and it
        sees what other accounts share with it. Other keyword arguments go to
        ``boto3.client`` and override these defaults.
        """
        try:
            import boto3
        except ImportError:
            raise RuntimeError(
                "Ec2Registry.client() needs boto3: pip install 'pytest-ec2image[boto3]'"
            ) from None
        key, secret = TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY
        if account_id is not None and account_id != self.account_id:
            key, secret = f"AKIAFAKE{account_id}", f"pytest-ec2image-secret-{account_id}"
            if self.credentials.get(key) != (secret, account_id):
                self.add_credentials(key, secret, account_id=account_id)
        options: dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "region_name": self._region,
            "aws_access_key_id": key,
            "aws_secret_access_key": secret,
        }
        options.update(kwargs)
        client: BaseClient = boto3.client("ec2", **options)
        return client

    def reset(self) -> None:
        """Back to the configured start state: no calls, no faults, only the preloads."""
        with self._state.lock:
            self._state.reset()
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


def _images(region: RegionState) -> dict[str, Image]:
    return region.images


def _snapshots(region: RegionState) -> dict[str, Snapshot]:
    return region.snapshots


def _manifests(region: RegionState) -> dict[str, str | None]:
    return region.manifests


def state_of(registry: Ec2Registry) -> RegistryState:
    """The state behind ``registry`` and its region views: what the plugin binds to the
    server, and what the server and the control API read. Not for tests: they use the
    registry's members."""
    return registry._state


__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_REGION", "Ec2Error", "Ec2Registry", "state_of"]
