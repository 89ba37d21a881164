"""The settings half of :class:`~pytest_ec2image.Ec2Registry`: what a test may set on it
(strict references, the pending and deregistered windows, the clock, signatures, credentials,
the manifest source) and read back.

A base class of ``Ec2Registry``, as :mod:`.injection` is, so that these members and their
docstrings are the registry's own while the facade stays a module one reads in a sitting.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from .defaults import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY
from .ids import ClockSource, is_account_id
from .store import RegistryState
from .wire.auth import Credential

if TYPE_CHECKING:
    from .references import ManifestSource


class RegistrySettings:
    """The settable members of :class:`~pytest_ec2image.Ec2Registry`."""

    _state: RegistryState

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
    def deregistered_describes(self) -> int:
        """A deregistered image shows state ``deregistered`` to DescribeImages by id for this
        many views, then is left out of the answer (no error; default 0)."""
        return self._state.deregistered_describes

    @deregistered_describes.setter
    def deregistered_describes(self, value: int) -> None:
        if value < 0:
            raise ValueError(f"deregistered_describes must be >= 0, got {value}")
        self._state.deregistered_describes = value

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

    @property
    def verify_signatures(self) -> bool:
        """Check every request's SigV4 or SigV2 signature against :attr:`credentials` (off by
        default: any credentials, or none, are accepted)."""
        return self._state.verify_signatures

    @verify_signatures.setter
    def verify_signatures(self, value: bool) -> None:
        self._state.verify_signatures = bool(value)

    @property
    def credentials(self) -> Mapping[str, Credential]:
        """Access key id -> ``(secret_access_key, account_id)``: the keys the registry knows.

        The test key pair the fixture exports is always there, bound to :attr:`account_id`.
        A request signed with a key bound to another account acts for that account.
        """
        state = self._state
        with state.lock:
            return MappingProxyType(
                {
                    key: Credential(secret, account or state.account_id)
                    for key, (secret, account) in state.credentials.items()
                }
            )

    def add_credentials(
        self, access_key_id: str, secret_access_key: str, *, account_id: str | None = None
    ) -> Credential:
        """Let ``access_key_id`` sign requests, acting for ``account_id`` (default: this
        registry's account). Images it registers are that account's; ``Owner=self`` shows
        that account's images. Kept across :meth:`reset`."""
        if not access_key_id or not secret_access_key:
            raise ValueError("access_key_id and secret_access_key must be non-empty")
        if account_id is not None and not is_account_id(account_id):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        state = self._state
        with state.lock:
            state.credentials[access_key_id] = (secret_access_key, account_id)
            return Credential(secret_access_key, account_id or state.account_id)

    @property
    def manifest_source(self) -> ManifestSource | None:
        """Where RegisterImage reads manifests the test did not declare: a callable taking the
        ``ImageLocation`` (``bucket/key.manifest.xml``) and returning the manifest XML, or
        ``None`` (or raising ``LookupError``/``OSError``) when there is none there. ``None``
        (the default): undeclared manifests exist in lenient mode, not in strict mode."""
        return self._state.manifest_source

    @manifest_source.setter
    def manifest_source(self, source: ManifestSource | None) -> None:
        if source is not None and not callable(source):
            raise TypeError(f"manifest_source must be callable or None, got {source!r}")
        self._state.manifest_source = source
