"""Fixtures the unit tests share: figure style, random numbers, data sets, the bilingual-error check.

Figures are drawn with the non-interactive Agg backend (no window, no display needed).
"""

from __future__ import annotations

import re
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

#: A helper's error message: Chinese first, then the English in parentheses, "(English ...".
BILINGUAL = re.compile(r"[\u4e00-\u9fff].*\([^)]*[A-Za-z]{3,}")


@pytest.fixture
def book_style():
    """The book's figure style (Chinese font, missing glyphs raise); every figure is closed afterwards."""
    from helpers.plotting import use_book_style

    use_book_style()
    yield
    plt.close("all")


@pytest.fixture
def rng() -> np.random.Generator:
    """A NumPy generator seeded with 0, new for every test (so no test depends on another's draws)."""
    return np.random.default_rng(0)


@pytest.fixture
def raises_bilingual() -> Callable[..., str]:
    """``raises_bilingual(fn, *args, **kwargs)``: fn must raise a ValueError in Chinese and English; its message."""

    def check(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
        with pytest.raises(ValueError) as info:
            fn(*args, **kwargs)
        message = str(info.value)
        assert BILINGUAL.search(message), f"not a Chinese + English message: {message}"
        return message

    return check


@pytest.fixture(scope="session")
def iris():
    """scikit-learn's iris data set (the Bunch: data, target, names)."""
    from sklearn.datasets import load_iris

    return load_iris()


@pytest.fixture(scope="session")
def digits():
    """The book's digits split, ``helpers.data.load_digits_split()`` with its defaults."""
    from helpers.data import load_digits_split

    return load_digits_split()


@pytest.fixture
def two_blobs() -> tuple[np.ndarray, np.ndarray]:
    """Two well-separated classes in the plane: X (20 x 2) around (0, 0) and (4, 4), y = 0 x 10, 1 x 10."""
    generator = np.random.default_rng(0)
    X = np.vstack([generator.normal(0, 1, (10, 2)), generator.normal(4, 1, (10, 2))])
    return X, np.repeat([0, 1], 10)
