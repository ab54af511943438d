"""The dashboard's themes: Textual's own, and one made for a projector.

A projector washes out dim colours and thin strokes, and the back rows of a room
see little of either: its theme is pure black and white with saturated colours,
muted text kept bright, and every character bold (app.tcss keys on the App's
``-theme-coremeter-projector`` class). A terminal cannot enlarge its own font: for
larger text, zoom the terminal (ctrl and +, in most) before the talk.
"""

from __future__ import annotations

from textual.theme import BUILTIN_THEMES, Theme

PROJECTOR = Theme(
    name="coremeter-projector",
    dark=True,
    background="#000000",
    surface="#000000",
    panel="#1C1C1C",
    foreground="#FFFFFF",
    primary="#3DA5FF",
    secondary="#C792FF",
    accent="#FFD400",
    success="#00E060",
    warning="#FF9F1C",
    error="#FF3B3B",
    text_alpha=1.0,
    variables={
        # Textual's muted text is the foreground at 60%: grey mush on a projector.
        "text-muted": "#D0D0D0",
        "footer-key-foreground": "#FFD400",
        "block-cursor-background": "#FFD400",
        "block-cursor-foreground": "#000000",
    },
)

# Registered by the dashboard on top of Textual's built-in themes.
THEMES = {PROJECTOR.name: PROJECTOR}


def theme_names() -> list[str]:
    """Every theme ``--theme`` accepts: coremeter's first, then Textual's."""
    return [*THEMES, *sorted(BUILTIN_THEMES)]
