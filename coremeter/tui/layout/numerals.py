"""A large numeral font for the timer, for terminals with rows to spare.

Textual's Digits are three rows tall: from the back of a room, on a tall terminal, the
run's time should be the largest thing on screen. Each glyph is a 3x5 grid of pixels,
drawn with full blocks ``width`` cells wide and ``height`` rows tall per pixel (a text
row is about twice as tall as a cell is wide: 2 cells by 1 row is a square).
"""

from __future__ import annotations

GLYPHS = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ".": (".", ".", ".", ".", "#"),
    " ": ("..", "..", "..", "..", ".."),
}
PIXEL_ROWS = 5


def numerals(text: str, size: int) -> list[str]:
    """``text`` in the font at ``size`` (1: 5 rows, pixels 2 cells wide; 2: 10 rows, 4
    cells wide), glyphs a pixel apart. Characters without a glyph are left out."""
    width, height = 2 * size, size
    glyphs = [GLYPHS[c] for c in text if c in GLYPHS]
    lines = []
    for row in range(PIXEL_ROWS):
        pixels = ".".join(glyph[row] for glyph in glyphs)
        line = "".join("█" * width if p == "#" else " " * width for p in pixels)
        lines.extend([line] * height)
    return lines


def numerals_width(text: str, size: int) -> int:
    return len(numerals(text, size)[0]) if text else 0
