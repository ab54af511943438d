"""SVG screenshots that fetch nothing: the `e` export and scripts/screenshots.py, through
the dashboard's ``export_screenshot``.

Textual's screenshots go through Rich's SVG template, which loads Fira Code from a
CDN. A talk venue may have no network; offline the viewer falls back to some other
font, and converters such as cairosvg then misplace the labels. Embedding a font does
not help here: the one a dependency ships (textual-serve's Roboto Mono) has none of the
block and box characters the meters, bars, charts and timer are drawn with, so those
would fall back anyway. Instead the screenshot names local monospace fonts that have
them, DejaVu Sans Mono first (cairosvg reads only the first name): Chromium and
cairosvg then draw with the same font on the same machine.
"""

from __future__ import annotations

import re

# The one URL left in a screenshot: a name, never fetched.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# Monospace fonts with the block elements and box drawing characters, by platform.
FONTS = "'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace"
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}\s*")
_FAMILY = re.compile(r"font-family:\s*Fira Code, monospace")
# Rich's credit links its site: kept, without a link for a viewer or a test to follow.
_CREDIT = re.compile(r"<!-- Generated with Rich https?://\S+ -->")


def offline_svg(svg: str) -> str:
    """Rich's SVG without its web font: no @font-face, local monospace fonts instead."""
    svg = _CREDIT.sub("<!-- Generated with Rich -->", svg)
    return _FAMILY.sub(f"font-family: {FONTS}", _FONT_FACE.sub("", svg))
