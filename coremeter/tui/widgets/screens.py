"""Screens over the dashboard: the help, the question before quitting, and the notice of
a terminal too small."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """What each mode does, for the room as much as for the presenter."""

    BINDINGS = [("escape,question_mark,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > VerticalScroll {
            width: 80;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $accent;
            border-title-align: center;
            background: $surface;
            padding: 0 1;
        }
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "coremeter · escape closes"
            yield Static(self.text)


class QuitScreen(ModalScreen[bool]):
    """One question before the session's results are lost: q again or y quits; any other
    key, escape or a click keeps the session. The key that answers does nothing else."""

    CONFIRM = frozenset({"q", "y"})
    DEFAULT_CSS = """
    QuitScreen {
        align: center middle;
        & > Static {
            width: auto;
            max-width: 100%;
            border: round $warning;
            background: $surface;
            padding: 0 2;
            text-align: center;
        }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]Quit coremeter?[/b] The results go with it.\n"
            "[b $accent]q[/] or [b $accent]y[/] quits · any other key stays"
        )

    def on_key(self, event: events.Key) -> None:
        event.stop()
        self.dismiss(event.key in self.CONFIRM)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.dismiss(False)


class TooSmallScreen(ModalScreen[None]):
    """Instead of a dashboard squeezed past reading, what the terminal measures and what it
    needs. The dashboard runs on underneath and comes back once the terminal is large
    enough."""

    BINDINGS = [("q", "app.quit", "quit")]
    DEFAULT_CSS = """
    TooSmallScreen {
        align: center middle;
        background: $background;
        & > Static { width: auto; max-width: 100%; text-align: center; }
    }
    """

    def __init__(self, minimum: tuple[int, int]) -> None:
        super().__init__()
        self.minimum = minimum
        self._notice = Static(markup=False)

    def compose(self) -> ComposeResult:
        yield self._notice

    def show(self, size: Size) -> None:
        width, height = self.minimum
        self._notice.update(
            f"terminal too small\n{size.width}x{size.height}, needs {width}x{height}\nq quits"
        )


def cover_when_too_small(app: App[None], minimum: tuple[int, int]) -> None:
    """Cover the dashboard with a TooSmallScreen while ``app`` has the class -too-small
    (its on_resize sets it), and take the notice away once the terminal is large enough."""
    notice = app.screen if isinstance(app.screen, TooSmallScreen) else None
    if app.has_class("-too-small"):
        if notice is None:
            notice = TooSmallScreen(minimum)
            app.push_screen(notice)
        notice.show(app.size)
    elif notice is not None:
        app.pop_screen()
        # Textual restyles only the screen on top: the dashboard's missed the change.
        app.call_after_refresh(app.refresh_css, False)
