"""coremeter: run the same CPU-bound Python work sequentially and in parallel on pinned
worker processes, and watch which cores light up."""

__version__ = "0.1.0"
