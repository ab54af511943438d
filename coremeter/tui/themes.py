"""The dashboard's themes: Textual's own, and two made for a projector.

A projector washes out dim colours and thin strokes, and the back rows of a room
see little of either: its themes are pure black or white with saturated colours,
muted text kept strong, and every character bold (app.tcss keys on the App's
``-theme-coremeter-projector*`` classes). Every text, bar and warning colour has a
contrast of at least 4.5:1 (WCAG AA) against what it is drawn on; tests/
test_readability.py measures it on the drawn screen. A bright room washes out a dark
screen: the light one is for that. A terminal cannot enlarge its own font: for
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

# Dark colours on white: the bright ones of the dark theme are 1.5-2:1 on a light
# background. The surface is grey so the empty tracks of bars stand out from the page.
PROJECTOR_LIGHT = Theme(
    name="coremeter-projector-light",
    dark=False,
    background="#FFFFFF",
    surface="#FFFFFF",
    panel="#E4E4E4",
    foreground="#000000",
    primary="#0050B3",
    secondary="#6B2FB3",
    accent="#8A4F00",
    success="#00702C",
    warning="#A34800",
    error="#C4001D",
    text_alpha=1.0,
    variables={
        "text-muted": "#303030",
        # Darkening black gives black: the meters' history and the charts' axes would
        # weigh as much as the figures. Greys that still read at 7:1 and more.
        "foreground-darken-2": "#404040",
        "foreground-darken-3": "#595959",
        "surface-lighten-1": "#E4E4E4",
        "footer-key-foreground": "#8A4F00",
        "block-cursor-background": "#0050B3",
        "block-cursor-foreground": "#FFFFFF",
    },
)

# Registered by the dashboard on top of Textual's built-in themes.
THEMES = {theme.name: theme for theme in (PROJECTOR, PROJECTOR_LIGHT)}


def theme_names() -> list[str]:
    """Every theme ``--theme`` accepts: coremeter's first, then Textual's."""
    return [*THEMES, *sorted(BUILTIN_THEMES)]
