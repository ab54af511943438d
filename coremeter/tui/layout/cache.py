"""One laid-out value, made again only when what it depends on changes.

Laying out rows costs more than drawing them, and Textual asks for a widget's rows
several times per screen update: each widget keeps its layout under the key of the
size and input it was made for.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Cached(Generic[K, V]):
    """``make(key)``, remembered for the last key asked."""

    def __init__(self, make: Callable[[K], V]) -> None:
        self._make = make
        self._entry: tuple[K, V] | None = None

    def get(self, key: K) -> V:
        if self._entry is None or self._entry[0] != key:
            self._entry = (key, self._make(key))
        return self._entry[1]

    def clear(self) -> None:
        """Forget the value: its input changed under the same key."""
        self._entry = None
