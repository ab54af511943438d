"""Functions that return what is not a number, or raise their own exception: each message
must name the object as this file wrote it."""

from __future__ import annotations


class Cls:
    pass


class NoRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


class Oops(Exception):
    pass


def instance(n: int) -> object:
    return Cls()


def long_text(n: int) -> object:
    return "a sentence far longer than any message about a return value should quote whole"


def no_repr(n: int) -> object:
    return NoRepr()


def own_error(n: int) -> int:
    raise Oops(f"item {n} is not welcome")
