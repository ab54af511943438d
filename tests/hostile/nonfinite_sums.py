"""Functions whose sums are not finite numbers: results like any other, which JSON has
no literal for."""

import math


def nan_each(n: int) -> float:
    return math.nan


def inf_each(n: int) -> float:
    return math.inf


def minus_inf_each(n: int) -> float:
    return -math.inf
