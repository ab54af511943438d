"""The screen as a room sees it, in a real terminal: during and after a real sequential
and parallel run at 120x35 and 200x60, the rows are used and the caption tells the run."""

from __future__ import annotations

import re
import shutil

import pytest
from helpers import Terminal

# The slow tier: real runs long enough to read mid-run, at two sizes. The quick tier has
# the layouts at these sizes in test_snapshots and the captions in test_caption/test_app.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal"),
]

# Long enough to read the screen mid-run (a few seconds on a busy 2-core box).
SCALE = "0.05"
# At most this share of the rows may be blank during and after a run.
BLANK_SHARE = 0.15
# The run's own cores' worth, then other programs' where the machine is busy with them.
BUSY = r"· \d+\.\d of \d+ cores? busy( · \d+\.\d more by other programs)? · \d+\.\d s"
TOOK = r"took \d+\.\d\d s"


def drawn(screen: str, mode: str) -> bool:
    """The caption counts the run's busy cores and the live timeline draws it with time
    on its lanes (its first frame, at 0.0 s, has lanes of no length yet)."""
    running = re.search(rf"^ {mode}\s+running · (?!0\.0 )", screen, re.MULTILINE)
    return bool(re.search(rf"{mode} {BUSY}", screen) and running)


@pytest.mark.parametrize("size", [(120, 35), (200, 60)], ids=["120x35", "200x60"])
def test_the_rows_are_used_and_the_caption_tells_each_run(size: tuple[int, int]) -> None:
    width, height = size
    most = int(BLANK_SHARE * height)
    with Terminal(width, height) as terminal:
        terminal.start("--scale", SCALE)
        terminal.wait_screen("s runs sequential")
        for key, mode, after in (
            ("s", "sequential", rf"sequential {TOOK} on one core"),
            ("p", "parallel", rf"parallel {TOOK}: \d+\.\d\dx sequential run 1 \(bound 2\.00x\)"),
        ):
            terminal.keys(key)
            # Counted once the live timeline draws the run: the screen has laid it out.
            terminal.wait_until(lambda s, m=mode: drawn(s, m), 30, f"{mode} runs")
            assert terminal.blank_rows() <= most, terminal.screen()
            screen = terminal.wait_until(lambda s, a=after: re.search(a, s), 60, f"{mode} ends")
            assert terminal.blank_rows() <= most, screen
            # The panel beside the timer names the run's own mode and cores.
            cores = r"core \d+" if mode == "sequential" else r"cores \d+-\d+"
            assert re.search(
                rf"{mode} · work seed · shape seed · longest-first · scale {SCALE} · {cores}",
                screen,
            ), screen
        terminal.keys("q")  # results on screen: q asks once, and y confirms
        terminal.wait_until(lambda s: "Quit coremeter?" in s, 10, "the question")
        terminal.keys("y")
        assert terminal.wait_exit() == 0
