"""The checker machinery: ✓ for right answers, a Chinese message naming the case for wrong ones."""

import threading
import time

import numpy as np
import pytest
import torch

from helpers.exercises._core import Case, CheckResult, as_number, compare, run_cases

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
    ([1, 2], 3.0, "一个数"),
    ("5.0", 5.0, "字符串"),
    (np.array([5.0, 0.0]), 5.0, "一个数"),
    (None, 5.0, "None"),
    (True, 1.0, "一个数"),
    (np.array(["1.0", "2.0"]), np.array([1.0, 2.0]), "数值"),
])
def test_compare_explains_the_difference(result, expected, fragment):
    problem = compare(result, expected)
    assert problem is not None and fragment in problem


def test_compare_accepts_close_values_and_tensors():
    import torch

    assert compare(torch.tensor([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])) is None
    assert compare(np.float32(0.1), 0.1) is None


@pytest.mark.parametrize("value", [
    5.0, 5, np.float32(5.0), np.int64(5), np.array(5.0), torch.tensor(5.0),
    torch.tensor(5.0, requires_grad=True) * 1, torch.tensor(5.0, dtype=torch.float64),
])
def test_every_kind_of_number_is_accepted(value):
    assert as_number(value) == 5.0
    assert compare(value, 5.0) is None
    assert run_cases(lambda a, b: value, [Case("五", (2.0, 3.0), expected=5.0)])


@pytest.mark.parametrize("value", ["5", "5.0", b"5", [5.0], (5.0,), np.array([5.0]), np.array([5.0, 1.0]),
                                   torch.tensor([5.0]), True, None, {"x": 5.0}])
def test_things_that_are_not_one_number_are_rejected(value):
    assert as_number(value) is None
    assert not run_cases(lambda a, b: value, [Case("五", (2.0, 3.0), expected=5.0)])


def test_a_function_returning_none_is_told_it_forgot_return():
    def add(a, b):
        a + b

    result = run_cases(add, CASES)
    assert not result and "没有返回值" in result.message and "return" in result.message
    assert "只返回了一个数" not in result.message


ARRAY_CASES = [Case("加一", (np.array([1.0, 2.0]), torch.tensor([3.0])), expected=np.array([4.0, 5.0]))]


@pytest.mark.parametrize("mutate, which", [
    (lambda a, t: a.__iadd__(0.5), "a"),
    (lambda a, t: a.sort(), None),
    (lambda a, t: t.mul_(2), "t"),
    (lambda a, t: a.__setitem__(0, 9.0), "a"),
])
def test_a_function_that_changes_its_input_is_rejected(mutate, which):
    def plus(a, t):
        result = a + float(t)
        mutate(a, t)
        return result

    original = np.array([2.0, 1.0])
    cases = [Case("加一", (original, torch.tensor([3.0])), expected=np.array([5.0, 4.0]))]
    result = run_cases(plus, cases)
    if which is None:  # sorting [2, 1] changes it
        assert not result and "改动了" in result.message
    else:
        assert not result and f"参数 {which}" in result.message and "in place" in result.message


def test_a_case_that_may_modify_its_arguments_is_not_flagged():
    def double_in_place(a):
        a *= 2

    assert run_cases(double_in_place, [Case("加倍", (np.ones(2),), may_modify=True, returns_value=False,
                                            check=lambda r: None)])


def _busy_forever(a, b):
    """The typical endless loop: a while whose condition never changes, burning a core."""
    i = 0
    while i < 10:
        try:
            a = a + 0  # the reader forgot i += 1
        except Exception:  # noqa: BLE001 - a reader's broad except must not keep the loop alive
            pass


def _sleeping_forever(a, b):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # noqa: BLE001
            pass


@pytest.mark.parametrize("forever, limit", [(_busy_forever, 0.3), (_sleeping_forever, 0.05)])
def test_a_function_that_never_returns_is_stopped_with_a_message(forever, limit):
    # a loop that computes is stopped after `limit` s of its own CPU time, one that only waits
    # after WALL_FACTOR times as long in wall-clock time (0.05 s × 12 = 0.6 s)
    before = threading.active_count()
    start = time.perf_counter()
    result = run_cases(forever, CASES, timeout=limit)
    assert time.perf_counter() - start < 2
    assert not result and f"运行超过 {limit:g} 秒" in result.message
    deadline = time.perf_counter() + 2  # the endless loop is stopped, not left burning a core
    while threading.active_count() > before and time.perf_counter() < deadline:
        time.sleep(0.02)
    assert threading.active_count() == before


def test_the_time_limit_does_not_cut_a_slow_right_answer_short():
    def slow_add(a, b):
        time.sleep(0.05)
        return a + b

    assert run_cases(slow_add, CASES, timeout=2.0)


@pytest.mark.skipif(not hasattr(time, "pthread_getcpuclockid"), reason="no per-thread CPU clock")
def test_a_busy_machine_does_not_fail_a_right_answer():
    """The limit counts the call's own CPU time: a right answer that waits on a busy machine
    (here: 0.5 s of wall-clock time, about no CPU) passes a 0.2 s limit. This is what a first
    `torch.optim.SGD(...)` (1.5 s of imports, 5 s beside a test suite) once failed on."""
    def add_on_a_busy_machine(a, b):
        time.sleep(0.5)
        return a + b

    assert run_cases(add_on_a_busy_machine, CASES, timeout=0.2)


def test_an_error_inside_numpy_points_at_the_readers_line():
    def dot(a, b):
        return np.dot(a, b)  # the reader's line

    result = run_cases(dot, [Case("形状不配", (np.ones(2), np.ones(3)), expected=0.0)])
    assert not result and "the reader's line" in result.message


# -- the same guarantees hold for every checker of the book -----------------------------------------

def _every_checker_with_a_right_answer():
    from helpers.exercises import intro, knn, linear_regression, softmax

    def softmax_right(o):
        e = np.exp(o - o.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def metrics(t, p, pos):
        tp, pp, tt = np.sum((t == pos) & (p == pos)), np.sum(p == pos), np.sum(t == pos)
        return float(np.mean(t == p)), float(tp / pp) if pp else 0.0, float(tp / tt) if tt else 0.0

    def standardize(a, b):
        mu, sd = a.mean(axis=0), a.std(axis=0)
        sd = np.where(sd == 0, 1.0, sd)
        return (a - mu) / sd, (b - mu) / sd

    def least_squares(X, y):
        solution = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)[0]
        return solution[:-1], solution[-1]

    def cross_entropy(o, y):
        s = o - o.max(axis=1, keepdims=True)
        return -(s - np.log(np.exp(s).sum(axis=1, keepdims=True)))[np.arange(len(y)), y].mean()

    return [
        (intro.check_binary_metrics, metrics),
        (intro.check_standardize_with_train, standardize),
        (knn.check_euclidean_distance, lambda a, b: np.linalg.norm(a - b)),
        (knn.check_majority_vote, lambda labels: np.argmax(np.bincount(labels))),
        (knn.check_knn_regress, lambda X, y, x, k: y[np.argsort(np.linalg.norm(X - x, axis=1))[:k]].mean()),
        (linear_regression.check_squared_loss, lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)) ** 2 / 2),
        (linear_regression.check_least_squares, least_squares),
        (softmax.check_softmax, softmax_right),
        (softmax.check_cross_entropy, cross_entropy),
        (softmax.check_one_hot, lambda y, k: np.eye(k)[y]),
        (softmax.check_cross_entropy_grad, lambda o, y: (softmax_right(o) - np.eye(o.shape[1])[y]) / len(y)),
    ]


CHECKERS = _every_checker_with_a_right_answer()
IDS = [checker.__name__ for checker, _ in CHECKERS]


@pytest.mark.parametrize("checker, right", CHECKERS, ids=IDS)
def test_every_checker_accepts_its_right_answer(checker, right):
    assert checker(right, strict=True)


@pytest.mark.parametrize("checker, right", CHECKERS, ids=IDS)
def test_every_checker_rejects_a_right_answer_that_overwrites_its_first_argument(checker, right):
    def overwrites(first, *rest):
        result = right(first, *rest)
        if isinstance(first, torch.Tensor):
            first.detach().add_(1)
        else:
            first += 1  # the reader's later cells would see changed data
        return result

    result = checker(overwrites)
    assert not result and "改动了传入的参数" in result.message


@pytest.mark.parametrize("checker, right", CHECKERS, ids=IDS)
def test_every_checker_reports_a_function_that_returns_none(checker, right):
    result = checker(lambda *args: None)
    assert not result and "没有返回值" in result.message


@pytest.mark.parametrize("checker, right", CHECKERS + [(None, None)], ids=IDS + ["check_split_indices"])
def test_every_checker_stops_a_function_that_never_returns(checker, right, monkeypatch):
    from helpers.exercises import _core, intro

    checker = checker or intro.check_split_indices
    monkeypatch.setattr(_core, "TIME_LIMIT", 0.2)

    def forever(*args):
        while True:
            pass

    result = checker(forever)
    assert not result and "运行超过 0.2 秒" in result.message


def _as_tensors(value):
    """The same answer as torch tensors (float ones requiring grad), tuples kept as tuples."""
    if isinstance(value, (tuple, list)):
        return type(value)(_as_tensors(v) for v in value)
    tensor = value.detach().clone() if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))
    return tensor.requires_grad_(True) if tensor.is_floating_point() else tensor


@pytest.mark.parametrize("checker, right", CHECKERS, ids=IDS)
def test_every_checker_accepts_the_right_answer_as_torch_tensors(checker, right):
    assert checker(lambda *args: _as_tensors(right(*args)), strict=True)


@pytest.mark.parametrize("checker, right", CHECKERS, ids=IDS)
def test_every_checker_rejects_the_right_answer_as_strings(checker, right):
    def as_strings(*args):
        result = right(*args)
        if isinstance(result, tuple):
            return tuple(np.asarray(v).astype(str) for v in result)
        return np.asarray(result).astype(str) if np.ndim(result) else str(result)

    assert not checker(as_strings)


def test_a_result_too_odd_to_inspect_is_reported_not_raised():
    def fussy_check(result):
        return None if result.upper() == "OK" else "不对"

    result = run_cases(lambda: 42, [Case("形状", check=fussy_check)])
    assert not result and "无法检查" in result.message


def test_a_list_argument_changed_in_place_is_reported():
    def appends(items):
        items.append(np.zeros(1))
        return 1.0

    result = run_cases(appends, [Case("列表", ([np.ones(1)],), expected=1.0)])
    assert not result and "参数 items" in result.message


def _every_checker() -> list:
    """Every check_<name> of every chapter's exercises module (found, not listed: a new
    chapter's checkers are covered the day they exist)."""
    import importlib
    import pkgutil

    import helpers.exercises as package

    found = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("_"):
            continue
        mod = importlib.import_module(f"helpers.exercises.{module.name}")
        found += [getattr(mod, n) for n in sorted(vars(mod)) if n.startswith("check_")
                  and callable(getattr(mod, n)) and getattr(mod, n).__module__ == mod.__name__]
    return found


EVERY_CHECKER = _every_checker()


def test_every_chapters_checkers_are_found():
    modules = {checker.__module__.rsplit(".", 1)[1] for checker in EVERY_CHECKER}
    assert {"intro", "knn", "linear_regression", "softmax", "mlp", "cnn", "optim", "pytorch_basics"} <= modules
    assert len(EVERY_CHECKER) >= 27  # the count on the day this test was written


@pytest.mark.parametrize("checker", EVERY_CHECKER, ids=lambda c: f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}")
def test_every_checker_reports_a_stub_and_raises_when_strict(checker):
    """The exercise cell as the reader first finds it (raise NotImplementedError): a message
    that says so, not a traceback; strict=True (the reference solutions) raises."""
    def stub(*args, **kwargs):
        raise NotImplementedError

    result = checker(stub)
    assert not result and "还没有实现" in result.message
    with pytest.raises(AssertionError):
        checker(stub, strict=True)
