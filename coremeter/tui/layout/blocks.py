"""Block characters: the eighths that give bars sub-cell resolution, sparklines, and
counts short enough for a narrow column."""

from __future__ import annotations

from collections.abc import Sequence

EIGHTHS = " ▏▎▍▌▋▊▉"
SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """Percent values as block characters, one cell each."""
    top = len(SPARKS) - 1
    return "".join(SPARKS[min(top, max(0, int(v / 100 * top + 0.5)))] for v in values)


def compact_count(n: int) -> str:
    """Iterations as 60.0M or 200k: the size column has six cells, not eleven."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1_000:
        return f"{n / 1_000:.0f}k"
    return str(n)
