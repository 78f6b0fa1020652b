"""helpers/timing.py: the one timing loop of the book."""

import time

import numpy as np

from helpers import comparison, intro, pytorch_basics
from helpers.timing import call_times


def test_every_repeat_is_timed_after_untimed_warm_up_calls():
    calls = []
    times = call_times(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6 and times.shape == (4,) and (times >= 0).all()


def test_a_call_that_sleeps_is_measured_at_least_that_long():
    times = call_times(lambda: time.sleep(0.002), repeats=3)
    assert (times >= 0.002).all()   # a busy machine makes a call slower, never faster


def test_bad_input_is_refused_in_chinese_and_english(raises_bilingual):
    raises_bilingual(call_times, "not a function", 3)
    raises_bilingual(call_times, lambda: None, 0)
    raises_bilingual(call_times, lambda: None, 3, warmup=-1)
    raises_bilingual(call_times, lambda: None, 2.5)


def test_the_chapters_reduce_the_same_times_their_own_way(monkeypatch):
    fixed = np.array([0.3, 0.1, 0.2, 0.9])
    monkeypatch.setattr(intro, "call_times", lambda fn, repeats, warmup=0: fixed)
    monkeypatch.setattr(pytorch_basics, "call_times", lambda fn, repeats, warmup=0: fixed)
    assert intro.median_call_seconds(lambda: None) == 0.25       # chapter 1: the median
    assert pytorch_basics.best_time(lambda: None) == 0.1         # chapter 8: the fastest
    assert comparison.call_times is call_times                  # chapters 4-6: the same loop
