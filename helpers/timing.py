"""Timing a call: the one loop behind every measured time in the book.

    call_times    wall-clock seconds of repeated calls of a function, after untimed warm-up calls

Each chapter reduces the times as its question needs: chapter 1 the median time of one
request (``intro.median_call_seconds``), chapters 4-6 the median time of a prediction
(``comparison.measure_model``), chapter 8 the fastest of a few runs (``pytorch_basics.best_time``).
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from .validation import check_nonnegative_int, check_positive_int


def call_times(fn: Callable[[], Any], repeats: int, warmup: int = 0) -> np.ndarray:
    """Seconds (``time.perf_counter``, wall clock) of each of ``repeats`` calls of ``fn()``,
    after ``warmup`` calls that are not timed (a first call may pay for loading and caching)."""
    if not callable(fn):
        raise ValueError(f"fn 必须是可调用对象 (fn must be callable), got {type(fn).__name__}")
    repeats = check_positive_int(repeats, "repeats")
    warmup = check_nonnegative_int(warmup, "warmup")
    for _ in range(warmup):
        fn()
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        fn()
        times[i] = time.perf_counter() - start
    return times
