"""The fork server starts before any Textual app runs: Textual swaps sys.stderr for
an object whose fileno() is -1, which breaks starting it later (Textual #3593)."""

from __future__ import annotations

import pytest

from coremeter.cores import Machine
from coremeter.runner import prepare


def pytest_configure(config: pytest.Config) -> None:
    prepare()


@pytest.fixture(scope="session")
def machine() -> Machine:
    return Machine.detect()
