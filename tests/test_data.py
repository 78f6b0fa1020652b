"""helpers.data: the data sets several chapters share are deterministic, as documented, and checked."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from helpers.data import KINDS_2D, load_digits_split, make_2d_dataset


# -- digits -----------------------------------------------------------------------------------------
def test_load_digits_split_is_deterministic_scaled_and_stratified(digits):
    a, b = digits, load_digits_split()
    assert a.X_train.shape == (1347, 64) and a.X_test.shape == (450, 64)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert a.X_train.dtype == np.float32 and a.y_train.dtype == np.int64
    assert 0.0 <= a.X_train.min() and a.X_train.max() <= 1.0
    totals = np.bincount(np.concatenate([a.y_train, a.y_test]), minlength=10)
    # Stratified: every digit has a quarter of its images (to within one) in the test set.
    assert np.all(np.abs(np.bincount(a.y_test, minlength=10) - 0.25 * totals) <= 1)


def test_load_digits_split_seed_and_size(digits):
    other = load_digits_split(seed=1)
    assert not np.array_equal(other.y_test, digits.y_test)
    small = load_digits_split(test_size=0.1, seed=np.int64(3))
    assert len(small.y_test) == 180 and set(small.y_test) == set(range(10))


@pytest.mark.parametrize("kwargs", [
    dict(test_size=0),
    dict(test_size=1.5),
    dict(test_size="0.2"),
    dict(test_size=0.001),  # two test images: not one of each digit
    dict(test_size=0.999),
    dict(seed=-1),
    dict(seed=2**32),
    dict(seed=0.5),
])
def test_load_digits_split_rejects_bad_input(kwargs, raises_bilingual):
    raises_bilingual(load_digits_split, **kwargs)


# -- 2-D toy data -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS_2D)
def test_2d_datasets_are_balanced_deterministic_and_seeded(kind):
    X, y = make_2d_dataset(kind, n_samples=101, seed=0)
    assert X.shape == (101, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert sorted(np.bincount(y)) == [50, 51]
    again, _ = make_2d_dataset(kind, n_samples=101, seed=0)
    np.testing.assert_array_equal(X, again)
    other, _ = make_2d_dataset(kind, n_samples=101, seed=1)
    assert not np.array_equal(X, other)
    # The classes come in random order, not as two blocks.
    assert len(set(y[:20])) == 2


@pytest.mark.parametrize("kind", ["circles", "xor", "spiral"])
def test_2d_datasets_are_not_linearly_separable(kind):
    X, y = make_2d_dataset(kind, n_samples=400, noise=0.05, seed=0)
    assert LogisticRegression().fit(X, y).score(X, y) < 0.75


def test_xor_labels_follow_the_signs_without_noise():
    X, y = make_2d_dataset("xor", n_samples=50, noise=0.0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


@pytest.mark.parametrize("kwargs", [
    dict(kind="blobs"),
    dict(kind="moons", n_samples=3),
    dict(kind="moons", n_samples=10.0),
    dict(kind="xor", noise=-0.1),
    dict(kind="xor", noise=float("nan")),
    dict(kind="spiral", seed=-2),
])
def test_2d_datasets_reject_bad_input(kwargs, raises_bilingual):
    raises_bilingual(make_2d_dataset, **kwargs)
