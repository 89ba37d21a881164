"""Live read-only views of what a region holds: ``Ec2Registry.images``, ``snapshots`` and
``manifests``.

A view is never a copy of the store: a lookup reads the region as it is now, in O(1)
(``registry.images[image_id]`` sees an image registered a moment ago), and iterating walks a
snapshot of the keys taken when the iteration starts, so the server may go on registering and
deregistering meanwhile without breaking the loop.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import TypeVar

from .store import RegionState, RegistryState

V = TypeVar("V")


class RegionView(Mapping[str, V]):
    """One of a region's dicts, read live under the registry lock."""

    __slots__ = ("_name", "_of", "_region", "_state")

    def __init__(
        self,
        state: RegistryState,
        region: str,
        of: Callable[[RegionState], dict[str, V]],
        name: str,
    ) -> None:
        self._state, self._region, self._of, self._name = state, region, of, name

    def _held(self) -> dict[str, V]:
        # Looked up on every read: reset() replaces the region's state.
        return self._of(self._state.region(self._region))

    def _copy(self) -> dict[str, V]:
        with self._state.lock:
            return dict(self._held())

    def __getitem__(self, key: str) -> V:
        with self._state.lock:
            return self._held()[key]

    def __contains__(self, key: object) -> bool:
        with self._state.lock:
            return key in self._held()

    def __len__(self) -> int:
        with self._state.lock:
            return len(self._held())

    def __iter__(self) -> Iterator[str]:
        with self._state.lock:
            keys = list(self._held())
        return iter(keys)

    # Whole-view reads take one snapshot, so a pair is never of two different moments.
    def keys(self) -> KeysView[str]:
        return self._copy().keys()

    def items(self) -> ItemsView[str, V]:
        return self._copy().items()

    def values(self) -> ValuesView[V]:
        return self._copy().values()

    def __repr__(self) -> str:
        return f"<{self._name} of {self._region}: {list(self)!r}>"
