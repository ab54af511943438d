"""The caption's words, from plain records: what the room reads beside the pictures.
On screen, with real and frozen runs, in test_app.py (the caption and the panel's truth)."""

from __future__ import annotations

import math

from fakes import record

from coremeter.report import fit_line
from coremeter.tui.caption import IDLE_CAPTION, ended, load, running, with_story

SEQUENTIAL = record("sequential", [(0, 1, 0, 0.0, 1.2), (1, 2, 0, 1.2, 3.7)], 3.7, speedup=1.0)


def test_the_load_counts_the_runs_cores_worth_and_other_programs_apart() -> None:
    now = load([100.0, 51.0, 50.0, 0.0], [0.0, 40.0, 0.0, 100.0])
    assert now.cores == 4 and math.isclose(now.total, 2.01) and math.isclose(now.others, 1.4)
    # A dashboard's jitter is no other program worth a word.
    assert load([100.0, 0.0], [0.0, 20.0]).shown_others is None


def test_the_running_caption_counts_the_runs_own_cores_and_threads_name_the_gil() -> None:
    assert running("parallel", 2, load([100, 97], [0, 0]), 1.42, gil=True) == (
        "parallel · 2.0 of 2 cores busy · 1.4 s"
    )
    assert running("sequential", 1, load([99], [0]), 0.5, gil=True) == (
        "sequential · 1.0 of 1 core busy · 0.5 s"
    )
    assert running("threads", 2, load([52, 48], [0, 0]), 3.0, gil=True) == (
        "threads: 2 threads, 1.0 of 2 cores busy: the GIL runs one thread at a time"
    )
    # Without the GIL threads are counted like processes.
    assert running("threads", 2, load([99, 98], [0, 0]), 3.0, gil=False).startswith(
        "threads · 2.0 of 2"
    )


def test_another_programs_load_is_told_apart_from_the_runs() -> None:
    """A program spinning on the other core: the meters read 2 of 2 cores busy, and the
    caption said so of a sequential run."""
    spinning = load([100.0, 0.0], [0.0, 92.0])
    assert running("sequential", 1, spinning, 2.0, gil=True) == (
        "sequential · 1.0 of 2 cores busy · 0.9 more by other programs · 2.0 s"
    )
    assert running("threads", 2, load([52, 48], [0, 90]), 3.0, gil=True) == (
        "threads: 2 threads, 1.0 of 2 cores busy: the GIL runs one thread at a time"
        " · 0.9 more by other programs"
    )


def test_the_ended_caption_says_what_the_run_gained_against_its_bound() -> None:
    parallel = record("parallel", [(0, 1, 1, 0.0, 1.2), (1, 2, 0, 0.0, 1.9)], 1.92)
    assert ended(parallel, 1.93, gil=True) == "parallel took 1.92 s: 1.93x sequential (bound 2.00x)"
    threads = record("threads", [(0, 1, 1, 0.0, 3.5), (1, 2, 0, 0.0, 3.9)], 3.96)
    assert ended(threads, 0.93, gil=True).endswith(": the GIL ran one thread at a time")
    assert ended(SEQUENTIAL, 1.0, gil=True).startswith("sequential took 3.70 s on one core")
    assert "no sequential run of seed×0.2" in ended(parallel, None, gil=True)
    cancelled = record("parallel", [(0, 1, 1, 0.0, None)], 0.4, state="cancelled",
                       reason="cancelled: sequential was started")  # fmt: skip
    assert ended(cancelled, None, gil=True) == (
        "parallel cancelled at 0.40 s: sequential was started"
    )


def test_a_story_goes_in_front_of_the_caption() -> None:
    assert with_story("step 2 of 4", "parallel took 1 s") == "step 2 of 4 · parallel took 1 s"
    assert with_story(None, IDLE_CAPTION) == IDLE_CAPTION


# -- words that fit: whole parts left out, never a number cut ---------------------------

SETTINGS = ["sequential", "work seed", "shape seed", "longest-first", "scale 0.1", "cores 0-1"]


def test_a_line_leaves_out_whole_parts_in_the_order_given() -> None:
    order = (3, 2, 1, 4)
    assert fit_line(SETTINGS, 80, order) == " · ".join(SETTINGS)
    assert (
        fit_line(SETTINGS, 60, order)
        == "sequential · work seed · shape seed · scale 0.1 · cores 0-1"
    )
    assert fit_line(SETTINGS, 40, order) == "sequential · scale 0.1 · cores 0-1"
    assert fit_line(SETTINGS, 30, order) == "sequential · cores 0-1"


def test_a_product_of_factors_loses_its_last_factors_whole() -> None:
    """The panel at 80 columns cut the factors mid-number: "× 97% core speed × 99.…"."""
    factors = ["1.93x = 2 cores", "100% balance", "97% core speed", "99.5% overhead"]
    assert fit_line(factors, 50, sep=" × ") == "1.93x = 2 cores × 100% balance × 97% core speed …"
    # At any width, every word shown is one of the product's whole words: no "99.…".
    words = {*" ".join(factors).split(), "×"}
    for width in range(1, 70):
        said = fit_line(factors, width, sep=" × ")
        assert len(said) <= width
        assert set(said.replace("…", " ").split()) <= words, said
