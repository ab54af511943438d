"""A speaker's laptop is never quiet: in a real terminal, with a real program spinning on
one core, the caption counts only coremeter's own load and shows the other program's
apart, and no speedup past the core count is told as a lesson."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
from helpers import Terminal

# Slow tier: a real spinner beside three real runs in tmux. In the quick tier,
# test_app's fake-sampler test checks the same words with another program on a core.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal"),
    pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores"),
]

CORES = sorted(os.sched_getaffinity(0))[:2]
SCALE = "0.1"  # several seconds a run: long enough to read the caption mid-run
OTHERS = r"(\d+\.\d) more by other programs"
TIMES = r"(\d+\.\d\d)x sequential"


@pytest.fixture
def spinner() -> Iterator[int]:
    """Another program: a Python loop pinned to the second core."""
    process = subprocess.Popen(
        [sys.executable, "-c", "while 1: pass"],
        preexec_fn=lambda: os.sched_setaffinity(0, {CORES[1]}),
    )
    try:
        yield process.pid
    finally:
        process.kill()
        process.wait()


def busy(screen: str, mode: str) -> float | None:
    """The cores' worth the caption counts for a running ``mode``, once it has one."""
    found = re.search(rf"^ {mode}\S* .*?(\d+\.\d) of 2 cores busy", screen, re.MULTILINE)
    return float(found.group(1)) if found else None


def no_lesson_past_the_cores(screen: str) -> None:
    """A speedup past the core count is a slow baseline's, not the parallelism's: stated,
    it comes with the reason it cannot be trusted."""
    for line in screen.splitlines():
        for speedup in re.findall(TIMES, line):
            assert float(speedup) <= len(CORES) or "not comparable" in line, screen


def test_another_programs_load_is_shown_apart_from_the_runs(spinner: int) -> None:
    with Terminal(120, 35) as terminal:
        terminal.start("--scale", SCALE, "--cores", ",".join(map(str, CORES)))
        terminal.wait_screen("s runs sequential")
        terminal.keys("s")
        # The other program, in words beside the run's own load, and on its core's meter.
        screen = terminal.wait_until(
            lambda s: busy(s, "sequential") is not None and re.search(OTHERS, s),
            30,
            "the sequential run with the other program apart",
        )
        own = busy(screen, "sequential")
        # One worker: at most one core's worth, though the meters read both cores busy.
        assert own is not None and own <= 1.0, screen
        meter = next(line for line in screen.splitlines() if f"cpu{CORES[1]} " in line)
        assert "other programs" in meter, screen
        screen = terminal.wait_until(lambda s: "sequential took" in s, 90, "sequential ends")

        terminal.keys("p")
        screen = terminal.wait_until(lambda s: busy(s, "parallel") is not None, 30, "parallel")
        parallel = busy(screen, "parallel")
        assert parallel is not None and parallel <= len(CORES), screen
        screen = terminal.wait_until(lambda s: "parallel took" in s, 90, "parallel ends")
        no_lesson_past_the_cores(screen)

        terminal.keys("t")
        # Threads take turns under the GIL: about one core's worth is the run's, however
        # busy the other program keeps the second core (it read 2.0 of 2 before).
        screen = terminal.wait_until(lambda s: busy(s, "threads") is not None, 30, "threads")
        for _ in range(5):
            threads = busy(terminal.screen(), "threads")
            assert threads is None or threads <= 1.3, terminal.screen()
        screen = terminal.wait_until(lambda s: "threads took" in s, 120, "threads ends")
        no_lesson_past_the_cores(screen)
        terminal.keys("q")
        terminal.wait_until(lambda s: "Quit coremeter?" in s, 10, "the question")
        terminal.keys("y")
        assert terminal.wait_exit() == 0
