"""The command line's values: each parser turns one argument into its value or an
``argparse.ArgumentTypeError`` whose message is the user's one line."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from pathlib import Path

from coremeter.results import MODES
from coremeter.userfunc import check_items
from coremeter.workload import WorkloadError, check_scale

MAX_REPEAT = 1000


def scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid scale {text!r}: not a number") from None
    given = text.strip()
    if value == 0 and nonzero(given):
        raise argparse.ArgumentTypeError(f"invalid scale {given}: too small, it rounds to 0")
    try:
        return check_scale(value, given)
    except WorkloadError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def nonzero(number: str) -> bool:
    """Whether a number float() read is written as something other than zero."""
    try:
        return Decimal(number) != 0
    except InvalidOperation:
        return False


def items(text: str) -> int:
    try:
        return check_items(text)
    except WorkloadError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def modes(text: str) -> tuple[str, ...]:
    """A comma-separated list of modes, run in order (``sequential,threads``)."""
    modes, choices = tuple(part.strip() for part in text.split(",")), (*MODES, "compare")
    for mode in (m for m in modes if m not in choices):
        listed = ", ".join(map(repr, choices))
        raise argparse.ArgumentTypeError(f"invalid choice: {mode!r} (choose from {listed})")
    return modes


def repeat(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid repeat {text!r}: not a whole number") from None
    if not 1 <= value <= MAX_REPEAT:
        raise argparse.ArgumentTypeError(f"invalid repeat {value}: must be 1 to {MAX_REPEAT}")
    return value


def folder(text: str) -> Path:
    """A folder to export into; an empty name would silently mean this one."""
    if not text:
        raise argparse.ArgumentTypeError("invalid folder '': give a folder name")
    return Path(text)


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: not a whole number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value}: must be 1 to 65535")
    return value


def timeout(text: str) -> float:
    """Seconds to wait for something, such as a scheduler: above 0, at most an hour."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid timeout {text!r}: not a number") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"invalid timeout {text}: must be above 0, at most 3600")
    return value
