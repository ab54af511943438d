"""How the dashboard's fixed parts fit the terminal: the minimum size, the buttons' rows,
the footer's keys, and whether the charts leave the results table its room."""

from __future__ import annotations

# Below this the header, the timer and the meters no longer fit: a notice says so instead.
MIN_SIZE = (40, 12)
# Below this width the footer's keys need the room its ctrl+p entry takes (ctrl+p still works).
FOOTER_PALETTE_WIDTH = 90
# Below this width the footer leaves out the spare keys: all the others fit at 80 columns.
# Every key with the palette's entry takes 122 columns since w (workload) joined them.
FOOTER_ALL_KEYS_WIDTH = 124
# The results table's least useful height, its margin included: a header and three rows.
# In the charts view it gives way to the charts rather than shrink below this.
RESULTS_ROOM = 5
# The buttons take at most this many rows; the bar's padding either side (app.tcss).
BUTTON_ROWS = 3
ACTIONS_PADDING = 2


def too_small(width: int, height: int) -> bool:
    return width < MIN_SIZE[0] or height < MIN_SIZE[1]


def button_columns(labels: list[int], width: int) -> int:
    """The fewest rows, up to BUTTON_ROWS, in which every label (its length given) fits
    its cell with a cell of air either side (the button's own padding): a label cut
    short lost its number, "scale×2" reading "scale×" at 80 columns. Cells share the row
    less the bar's padding and the gutters between them. Narrower still (under about 56
    columns), labels are cut: the footer names every key."""
    buttons = len(labels)
    for rows in range(1, BUTTON_ROWS + 1):
        columns = -(-buttons // rows)
        if (width - ACTIONS_PADDING - (columns - 1)) // columns >= max(labels) + 2:
            return columns
    return -(-buttons // BUTTON_ROWS)


def charts_only(room: int, charts: int) -> bool:
    """Whether the charts, ``charts`` rows, leave the results table under RESULTS_ROOM of
    the ``room`` rows between the views' top and the buttons."""
    return room - charts < RESULTS_ROOM
