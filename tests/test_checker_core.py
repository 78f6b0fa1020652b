"""The checker machinery: ✓ for right answers, a Chinese message naming the case for wrong ones."""

import numpy as np
import pytest

from helpers.exercises._core import Case, CheckResult, compare, run_cases

CASES = [
    Case("两个正数", (2.0, 3.0), expected=5.0, hint="把两个数加起来"),
    Case("一个负数", (-2.0, 3.0), expected=1.0),
]


def add(a, b):
    return a + b


def test_right_answer_passes_and_displays_a_tick():
    result = run_cases(add, CASES)
    assert isinstance(result, CheckResult) and result
    assert repr(result).startswith("✓") and "2 个测试情形" in result.message
    assert "✓" in result._repr_html_()


def test_wrong_answer_names_the_case_expected_value_and_hint():
    result = run_cases(lambda a, b: a * b, CASES, name="add")
    assert not result
    assert "情形 1「两个正数」" in result.message and "期望 5" in result.message and "得到 6" in result.message
    assert "提示：把两个数加起来" in result.message


def test_unimplemented_stub_is_reported_without_raising():
    def add(a, b):
        raise NotImplementedError

    result = run_cases(add, CASES)
    assert not result and "还没有实现" in result.message


def test_exception_in_readers_code_is_reported_with_its_line():
    def add(a, b):
        return a + undefined_name  # noqa: F821

    result = run_cases(add, CASES)
    assert not result and "NameError" in result.message and "第" in result.message


def test_strict_mode_raises_on_failure_only():
    assert run_cases(add, CASES, strict=True)
    with pytest.raises(AssertionError, match="情形 1"):
        run_cases(lambda a, b: 0.0, CASES, strict=True)


def test_not_a_function():
    assert not run_cases(42, CASES)


def test_expected_exception_cases():
    cases = [Case("负数开方", (-1.0,), raises=ValueError)]

    def strict_sqrt(x):
        if x < 0:
            raise ValueError("negative")
        return x ** 0.5

    assert run_cases(strict_sqrt, cases)
    assert not run_cases(lambda x: 0.0, cases)


@pytest.mark.parametrize("result, expected, fragment", [
    (np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0]), "形状不对"),
    (np.array([1.0, np.nan]), np.array([1.0, 2.0]), "nan"),
    (np.array([1.0, 2.5]), np.array([1.0, 2.0]), "第 1 个元素"),
    ("a", "b", "期望"),
    (float("nan"), 1.0, "nan"),
    ([1, 2], 3.0, "期望"),
])
def test_compare_explains_the_difference(result, expected, fragment):
    problem = compare(result, expected)
    assert problem is not None and fragment in problem


def test_compare_accepts_close_values_and_tensors():
    import torch

    assert compare(torch.tensor([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])) is None
    assert compare(np.float32(0.1), 0.1) is None
