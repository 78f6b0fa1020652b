"""Bad input to a helper gets a Chinese/English ValueError, never a silent wrong answer."""

import numpy as np
import pytest
import torch

from helpers.validation import (MAX_SEED, as_class_labels, as_float_matrix, as_list, check_finite_number, as_vector, check_choice, check_fraction,
                                check_increasing, check_k, check_nonnegative_int, check_nonnegative_number, check_positive_int,
                                check_positive_number, check_same_width, check_seed, to_numpy)


def test_to_numpy_accepts_lists_arrays_and_tensors():
    assert to_numpy([1, 2]).tolist() == [1, 2]
    assert to_numpy(torch.tensor([[1.0]])).shape == (1, 1)


@pytest.mark.parametrize("value", [0, -3, 2.5, True, "3", None])
def test_positive_int_rejects(value):
    with pytest.raises(ValueError, match=r"必须是正整数 \(k must be a positive integer\)"):
        check_positive_int(value, "k")


def test_k_larger_than_training_set():
    assert check_k(np.int64(3), 3) == 3
    with pytest.raises(ValueError, match=r"k 不能大于训练样本数 3 \(k cannot exceed the 3 training samples\), got 4"):
        check_k(4, 3)


@pytest.mark.parametrize("value, fragment", [
    (np.zeros(3), "二维"),
    (np.zeros((0, 2)), "不能为空"),
    (np.zeros((2, 0)), "不能为空"),
    (np.array([[1.0, np.nan]]), "NaN"),
    (np.array([[1.0, np.inf]]), "NaN 或无穷大"),
    (np.array([["a", None]], dtype=object), "数值"),
])
def test_matrix_rejects(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        as_float_matrix(value, "X")


def test_vector_checks_length_and_nan():
    assert as_vector([1, 2, 3], "y", length=3).shape == (3,)
    with pytest.raises(ValueError, match="长度 2 与样本数 3 不一致"):
        as_vector([1, 2], "y", length=3)
    with pytest.raises(ValueError, match="不能为空"):
        as_vector([], "y")
    with pytest.raises(ValueError, match="NaN"):
        as_vector([1.0, float("nan")], "y")
    with pytest.raises(ValueError, match="一维"):
        as_vector([[1, 2]], "y")


def test_width_and_choice():
    with pytest.raises(ValueError, match="必须相同"):
        check_same_width(np.zeros((2, 3)), np.zeros((2, 2)), "A", "B")
    assert check_choice("l1", "metric", ("l1", "l2")) == "l1"
    for bad in ("cosine", None, np.array(["l1", "l2"]), ["l1"]):
        with pytest.raises(ValueError, match="metric 必须是"):
            check_choice(bad, "metric", ("l1", "l2"))


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), "hot", True, None])
def test_positive_number_rejects(value):
    with pytest.raises(ValueError, match=r"t 必须是正数 \(t must be a positive number\)"):
        check_positive_number(value, "t")


def test_fraction():
    assert check_fraction(0.25, "ratio") == 0.25
    for bad in (0, 1, 1.5, -0.1, "0.2", True):
        with pytest.raises(ValueError, match=r"必须在 0 和 1 之间 \(ratio must lie strictly between 0 and 1\)"):
            check_fraction(bad, "ratio")


def test_nonnegative_number():
    assert check_nonnegative_number(0, "noise") == 0.0 and check_nonnegative_number(np.float32(0.5), "noise") == 0.5
    for bad in (-0.1, float("nan"), float("inf"), "0.1", True, None):
        with pytest.raises(ValueError, match=r"noise 必须是非负数 \(noise must be a non-negative number\)"):
            check_nonnegative_number(bad, "noise")


def test_nonnegative_int_and_seed():
    assert check_nonnegative_int(0, "decimals") == 0 and check_nonnegative_int(np.int64(3), "d") == 3
    for bad in (-1, 1.5, True, "2", None):
        with pytest.raises(ValueError, match=r"d 必须是非负整数 \(d must be a non-negative integer\)"):
            check_nonnegative_int(bad, "d")
    assert check_seed(0) == 0 and check_seed(np.uint32(MAX_SEED)) == MAX_SEED
    with pytest.raises(ValueError, match=r"seed 必须是非负整数 \(seed must"):
        check_seed(-1)
    with pytest.raises(ValueError, match=r"seed 必须小于 2\*\*32 \(seed must be below 2\*\*32\)"):
        check_seed(MAX_SEED + 1)


def test_increasing_values():
    assert check_increasing(np.linspace(0.1, 0.3, 3), "lr") == [0.1, 0.2, 0.3]
    for good in ([1, 2], (1, 2.0), range(1, 3), np.array([1, 2], dtype=np.float32), torch.tensor([1, 2])):
        assert check_increasing(good, "lr") == [1.0, 2.0]
    for bad, fragment in [([1.0], "至少需要两个取值"), ([2.0, 1.0], "必须严格递增"), ([1.0, 1.0], "必须严格递增"),
                          ([0.0, float("nan")], "含有 NaN"), (["a", "b"], "必须是一串数"), (3.0, "必须是一串数"),
                          (["0.1", "0.2"], "必须是一串数"), ([False, True], "必须是一串数"), ([1j, 2j], "必须是一串数"),
                          ([0.1, None], "必须是一串数")]:
        with pytest.raises(ValueError, match=f"lr {fragment}"):
            check_increasing(bad, "lr")


@pytest.mark.parametrize("value", [
    np.array([[1.0, None]], dtype=object), np.array([[1, 2]], dtype=object), np.array([[1 + 2j, 3]]),
    np.array([["1", "2"]]), np.array([[b"1", b"2"]]), [[1.0, None]], [["1.5", "2"]],
])
def test_matrix_and_vector_refuse_none_complex_and_strings(value, raises_bilingual):
    assert "必须是数值数组" in raises_bilingual(as_float_matrix, value, "X")
    assert "必须是数值数组" in raises_bilingual(as_vector, np.asarray(value).ravel(), "y")


@pytest.mark.parametrize("value", [
    [[1, 2]], np.array([[1, 2]]), np.array([[1, 2]], dtype=np.float32), np.array([[1.0, 2.0]]),
    np.array([[True, False]]), torch.tensor([[1.0, 2.0]]), torch.tensor([[1, 2]]),
])
def test_matrix_and_vector_accept_every_usual_type(value):
    assert as_float_matrix(value, "X").tolist() == [[1.0, float(np.asarray(value)[0, 1])]]
    assert as_vector(to_numpy(value)[0], "y").shape == (2,)


def test_class_labels(raises_bilingual):
    for good in ([0, 2], np.array([0, 2], dtype=np.uint8), torch.tensor([0, 2])):
        labels = as_class_labels(good, "y")
        assert labels.dtype == np.int64 and labels.tolist() == [0, 2]
    for bad in ([-1, 0], [0.0, 1.0], [True, False], [None, 1], ["a", "b"]):
        raises_bilingual(as_class_labels, bad, "y")
    assert as_class_labels([0, 2], "y", n_classes=3).tolist() == [0, 2]
    assert "y 的标签必须在 0 到 1 之间" in raises_bilingual(as_class_labels, [0, 2], "y", n_classes=2)


def test_as_list(raises_bilingual):
    for good in ([1, 2], (1, 2), range(1, 3), np.array([1, 2]), torch.tensor([1, 2])):
        assert [int(v) for v in as_list(good, "ks")] == [1, 2]
    for bad in (None, 3, "ab", b"ab", np.array(3)):
        assert "ks 必须是一串值" in raises_bilingual(as_list, bad, "ks")


def test_finite_number(raises_bilingual):
    assert check_finite_number(-1.5, "b") == -1.5 and check_finite_number(np.int64(2), "b") == 2.0
    for bad in (float("nan"), float("inf"), "1", None, True, 1j):
        assert "b 必须是有限实数" in raises_bilingual(check_finite_number, bad, "b")
