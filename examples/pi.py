"""A function of your own for coremeter, to map over range(N) in every mode:

    coremeter bench --workload examples/pi.py:hits --items 20000 --mode compare,threads

Summed over range(N), the hits divided by N * 250 estimate pi.
"""

import random

POINTS = 1000


def hits(seed: int) -> int:
    """How many of POINTS random points, seeded by ``seed``, fall inside the quarter circle.

    Pure Python and the same work for every seed: processes share it out evenly,
    threads take turns on the GIL. Seeded, so every mode returns the same sum.
    """
    rng = random.Random(seed)
    return sum(rng.random() ** 2 + rng.random() ** 2 <= 1.0 for _ in range(POINTS))
