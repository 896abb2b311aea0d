"""A small immutable, hashable mapping used inside frozen scenario objects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V], Generic[K, V]):
    """Read-only dict that keeps insertion order, compares like a dict and can be hashed.

    Scenario objects are frozen dataclasses; their mapping fields (shares by age band,
    prices by placement type) use this so that a scenario can be a cache key.
    """

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[K, V] | None = None, **kwargs: V) -> None:
        self._data: dict[K, V] = dict(data or {}, **kwargs)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._data) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def to_dict(self) -> dict[K, Any]:
        """Plain (recursively unfrozen) dict, for JSON."""
        return {k: (v.to_dict() if isinstance(v, FrozenMap) else v) for k, v in self._data.items()}
