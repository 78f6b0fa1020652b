"""The machinery behind every ``check_<name>(fn)`` of the exercises.

A checker runs the reader's function on a list of ``Case`` objects and
returns a ``CheckResult``: shown as ✓, or as ✗ with a Chinese message that
names the failing case, what was expected, what came back and a hint. A
checker never raises on a wrong answer (the reader's notebook keeps running);
``strict=True`` makes it raise ``AssertionError`` instead, which is how each
reference solution in the book proves that its checker accepts it.

For every checker alike, ``run_cases``:

* runs each call under a time limit (in a thread: ``TIME_LIMIT`` seconds of the call's own
  CPU time, so a busy machine or a slow first ``import`` does not fail a right answer; a call
  that waits instead of computing gets ``WALL_FACTOR`` times as long in wall-clock time), so a
  function that never returns is reported instead of hanging the notebook;
* copies the array / tensor arguments before the call and reports a function
  that changed them (the reader's later cells would see changed data), unless
  the case says ``may_modify`` (the in-place SGD update);
* reports ``None`` as a missing ``return`` (unless ``returns_value=False``), and an
  error at the reader's own line, not at a line inside NumPy or torch;
* takes a number to be one real number (Python, NumPy or 0-d array/tensor, also
  requiring grad or on a GPU): a numeric string, a bool or an array with more than
  one element is not one.
"""

from __future__ import annotations

import html
import inspect
import math
import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..validation import to_numpy


@dataclass
class Case:
    """One test input for a reader's function.

    ``expected`` is compared with the result (arrays: same shape, close values);
    ``check`` replaces that comparison when given: it receives the result and
    returns None if fine, or a Chinese sentence saying what is wrong.
    ``raises`` names an exception type the function must raise for this input.
    """

    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    check: Callable[[Any], str | None] | None = None
    raises: type[BaseException] | None = None
    hint: str = ""
    atol: float = 1e-6
    rtol: float = 1e-5
    may_modify: bool = False  # True only where the exercise asks to update the arguments in place
    returns_value: bool = True  # False where the function is meant to return None


@dataclass
class CheckResult:
    """Outcome of a checker: truthy when every case passed."""

    function: str
    passed: bool
    message: str
    cases_run: int

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        mark = "✓" if self.passed else "✗"
        return f"{mark} {self.message}"

    def _repr_html_(self) -> str:
        color = "#009E73" if self.passed else "#D55E00"
        mark = "✓" if self.passed else "✗"
        body = html.escape(self.message).replace("\n", "<br>")
        return (
            f'<div class="mlbook-check" style="border-left:4px solid {color};padding:4px 10px;'
            f'margin:4px 0"><b style="color:{color}">{mark}</b> {body}</div>'
        )


def _short(value: Any, limit: int = 160) -> str:
    text = np.array2string(value, precision=4, threshold=12) if isinstance(value, np.ndarray) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_number(value: Any) -> float | None:
    """``value`` as a float if it is one real number (int, float, NumPy scalar, 0-d array, 0-d tensor), else None.

    A numeric string, a bool, a list or an array with more than one element is not a number.
    """
    if value is None or isinstance(value, (str, bytes, bool, np.bool_, list, tuple, dict, set)):
        return None
    try:
        array = to_numpy(value)
    except Exception:  # noqa: BLE001 - anything unconvertible is not a number
        return None
    if array.ndim != 0 or array.dtype.kind not in "iuf":
        return None
    return float(array)


def number_problem(value: Any) -> str:
    """A Chinese/English sentence saying why ``value`` is not one number."""
    if value is None:
        return NONE_MESSAGE
    if isinstance(value, (str, bytes)):
        return f"应返回一个数，得到字符串 {value!r}（a number, not a string）"
    try:
        array = to_numpy(value)
    except Exception:  # noqa: BLE001
        return f"应返回一个数，得到 {type(value).__name__}（expected a number）"
    if array.ndim != 0:
        return f"应返回一个数，得到形状为 {array.shape} 的 {type(value).__name__}（expected one number）"
    return f"应返回一个数，得到 {_short(value)}（类型 {type(value).__name__}）（expected a number）"


NONE_MESSAGE = "没有返回值（返回了 None）：是不是忘了 return？（the function returned None: a missing return?）"


def compare(result: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-5) -> str | None:
    """None if ``result`` matches ``expected``; otherwise a Chinese description of the difference."""
    if result is None and expected is not None:
        return NONE_MESSAGE
    if isinstance(expected, (bool, str)) or expected is None:
        same = type(result) is type(expected) or isinstance(result, (np.str_, np.bool_))
        return None if same and result == expected else f"期望 {expected!r}，得到 {_short(result)}"
    if isinstance(expected, (int, float, np.number)):
        got = as_number(result)
        if got is None:
            return number_problem(result)
        if math.isnan(got):
            return f"期望 {expected!r}，得到 nan"
        if math.isclose(got, float(expected), rel_tol=rtol, abs_tol=atol):
            return None
        return f"期望 {float(expected):.6g}，得到 {got:.6g}"
    want = to_numpy(expected)
    try:
        got = to_numpy(result)
    except Exception:  # noqa: BLE001 - any unconvertible result is simply wrong
        return f"期望一个数组，得到 {type(result).__name__}"
    if isinstance(result, list) and got.size == 0 and want.size == 0:
        return None  # an empty Python list cannot say (0, k): it is as empty as the array expected
    if got.shape != want.shape:
        return f"形状不对：期望 {want.shape}，得到 {got.shape}"
    if np.issubdtype(want.dtype, np.number) and not np.issubdtype(got.dtype, np.number):
        return f"期望数值数组，得到 dtype 为 {got.dtype} 的数组（expected numbers）"
    if np.issubdtype(want.dtype, np.number) and np.issubdtype(got.dtype, np.number):
        if not np.all(np.isfinite(got)) and np.all(np.isfinite(want)):
            return f"结果里出现了 nan 或 inf：{_short(got)}"
        if np.allclose(got, want, atol=atol, rtol=rtol):
            return None
        worst = int(np.argmax(np.abs(got - want).ravel()))
        return (
            f"数值不对：第 {worst} 个元素期望 {want.ravel()[worst]:.6g}，得到 {got.ravel()[worst]:.6g}"
            f"\n期望 {_short(want)}\n得到 {_short(got)}"
        )
    if np.array_equal(got, want):
        return None
    return f"期望 {_short(want)}，得到 {_short(got)}"


TIME_LIMIT = 5.0  # seconds of CPU time per call of the reader's function
WALL_FACTOR = 12  # a call that sleeps or waits is stopped after TIME_LIMIT * WALL_FACTOR wall-clock seconds

# frames in these folders are not the reader's: NumPy, the helpers package, Python's standard library
_LIBRARY_DIRS = tuple(
    os.path.dirname(os.path.abspath(path)) + os.sep
    for path in (np.__file__, os.path.dirname(os.path.abspath(__file__)), threading.__file__)
)


class TimeLimitExceeded(Exception):
    """The reader's function ran longer than the time limit."""


class _StopThread(BaseException):
    """Raised inside a timed-out thread; a BaseException, so the reader's ``except Exception`` cannot swallow it."""


def call_limited(fn: Callable, args: tuple = (), kwargs: dict | None = None,
                 timeout: float | None = None) -> Any:
    """``fn(*args, **kwargs)`` in a daemon thread; TimeLimitExceeded after ``timeout`` seconds.

    The seconds are the thread's own CPU time where the platform can tell it (Linux, macOS):
    on a machine busy with other work (a test suite, a second notebook) a right answer takes
    longer in wall-clock time but not in CPU time, and an endless loop burns CPU time as
    fast as ever. A call that waits without computing is stopped after ``WALL_FACTOR``
    times ``timeout`` in wall-clock time.

    On a timeout the thread is asked to stop (an exception raised inside it at its
    next Python bytecode, which ends a pure-Python endless loop); a thread stuck
    inside one long C call cannot be stopped, but the notebook cell returns anyway
    and the daemon thread dies with the kernel.
    """
    timeout = TIME_LIMIT if timeout is None else timeout
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn(*args, **(kwargs or {}))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="mlbook-checker", daemon=True)
    start = time.monotonic()
    worker.start()
    clock = _cpu_clock(worker)
    while True:
        worker.join(0.05)  # returns at once when the call ends
        if not worker.is_alive():
            break
        wall = time.monotonic() - start
        try:
            used = time.clock_gettime(clock) if clock is not None else wall
        except OSError:  # the thread ended just now
            continue
        if used > timeout or wall > timeout * WALL_FACTOR:
            _stop(worker)
            raise TimeLimitExceeded(timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _cpu_clock(worker: threading.Thread) -> int | None:
    """The clock of ``worker``'s CPU time, or None where there is none (Windows)."""
    try:
        return time.pthread_getcpuclockid(worker.ident)
    except (AttributeError, OSError, OverflowError, TypeError):
        return None


def _stop(worker: threading.Thread) -> None:
    """Raise _StopThread inside ``worker`` (CPython only; a no-op elsewhere)."""
    try:
        import ctypes

        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident),
                                                   ctypes.py_object(_StopThread))
    except (AttributeError, ImportError, TypeError):  # not CPython
        pass


def _readers_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The last traceback frame in the reader's code (not NumPy, torch, site-packages or helpers)."""
    frames = traceback.extract_tb(exc.__traceback__)
    library = _LIBRARY_DIRS + tuple(d for d in _torch_dirs())
    for frame in reversed(frames):
        path = os.path.abspath(frame.filename) if not frame.filename.startswith("<") else frame.filename
        if "site-packages" in path or "dist-packages" in path or path.startswith(library):
            continue
        return frame
    return frames[-1] if frames else None


def _torch_dirs() -> list[str]:
    import sys

    torch = sys.modules.get("torch")
    return [os.path.dirname(os.path.abspath(torch.__file__)) + os.sep] if torch is not None else []


def _is_array(value: Any) -> bool:
    """A NumPy array or a torch tensor."""
    return isinstance(value, np.ndarray) or (hasattr(value, "detach") and hasattr(value, "clone"))


def _copy(value: Any) -> Any:
    """A snapshot of an argument: arrays and tensors copied, lists and tuples copied element by element."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if _is_array(value):
        return value.detach().clone()
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value  # numbers, strings, None: nothing a function can change in place


def _unchanged(before: Any, after: Any) -> bool:
    """True if ``after`` still holds what the snapshot ``before`` recorded (same shape, dtype and values)."""
    if _is_array(before):
        if not _is_array(after):
            return False
        old, new = to_numpy(before), to_numpy(after)
        if old.shape != new.shape or old.dtype != new.dtype:
            return False
        return bool(np.array_equal(old, new, equal_nan=old.dtype.kind in "fc"))
    if isinstance(before, list):
        return (isinstance(after, (list, tuple)) and len(after) == len(before)
                and all(_unchanged(b, a) for b, a in zip(before, after)))
    return True


def _argument_names(fn: Callable, args: tuple, kwargs: dict) -> list[str]:
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
        return list(bound.arguments)
    except (TypeError, ValueError):
        return [f"第 {i} 个参数" for i in range(1, len(args) + 1)] + list(kwargs)


def run_cases(fn: Callable, cases: list[Case], name: str | None = None, strict: bool = False,
              timeout: float | None = None) -> CheckResult:
    """Run ``fn`` on every case; stop at the first failure and explain it.

    Every call runs under a time limit (``timeout``, by default ``TIME_LIMIT`` seconds), and
    must leave its array arguments unchanged unless the case says ``may_modify``.
    """
    timeout = TIME_LIMIT if timeout is None else timeout
    if not callable(fn):
        result = CheckResult(str(fn), False, f"请传入一个函数（pass a function），而不是 {type(fn).__name__}", 0)
        return _finish(result, strict)
    name = name or getattr(fn, "__name__", "你的函数")
    for number, case in enumerate(cases, start=1):
        where = f"情形 {number}「{case.description}」"
        values = list(case.args) + list(case.kwargs.values())
        before = [None if case.may_modify else _copy(v) for v in values]  # None: not watched
        try:
            result = call_limited(fn, case.args, case.kwargs, timeout)
        except NotImplementedError:
            message = f"{name} 还没有实现：把 raise NotImplementedError 换成你的代码，再运行这个单元格。"
            return _finish(CheckResult(name, False, message, number - 1), strict)
        except TimeLimitExceeded:
            message = (f"{name} 在{where}中运行超过 {timeout:g} 秒，已放弃等待：是不是有死循环（while 的条件永远成立）"
                       f"或忘了 return？（ran longer than {timeout:g} s: an endless loop?）")
            return _finish(CheckResult(name, False, message, number), strict)
        except Exception as exc:  # noqa: BLE001 - report any error of the reader's code
            if case.raises is not None and isinstance(exc, case.raises):
                continue
            frame = _readers_frame(exc)
            message = f"{name} 在{where}中出错：{type(exc).__name__}: {exc}"
            if frame is not None:
                message += f"（第 {frame.lineno} 行：{frame.line}）"
            if case.hint:
                message += f"\n提示：{case.hint}"
            return _finish(CheckResult(name, False, message, number), strict)
        names = _argument_names(fn, case.args, case.kwargs)
        for index, (old, value) in enumerate(zip(before, values)):
            if not _unchanged(old, value):
                which = names[index] if index < len(names) else f"第 {index + 1} 个参数"
                message = (f"{name} 在{where}中改动了传入的参数 {which}（例如用了 X -= …、X[...] = … 或 sort()）："
                           "之后的单元格会看到被改过的数据。请先复制（X = X.copy()）或返回新数组，不要原地修改输入"
                           f"（the function modified its argument {which} in place）")
                return _finish(CheckResult(name, False, message, number), strict)
        if case.raises is not None:
            message = f"{name} 在{where}中应该抛出 {case.raises.__name__}，却返回了 {_short(result)}"
            if case.hint:
                message += f"\n提示：{case.hint}"
            return _finish(CheckResult(name, False, message, number), strict)
        if result is None and case.returns_value:
            problem: str | None = NONE_MESSAGE
        else:
            try:
                problem = case.check(result) if case.check else compare(result, case.expected, case.atol,
                                                                        case.rtol)
            except Exception as exc:  # noqa: BLE001 - a result too odd to inspect is a wrong result
                problem = (f"返回值的类型或形状不对，无法检查：{type(exc).__name__}: {exc}"
                           f"（could not inspect the returned {type(result).__name__}）")
        if problem:
            message = f"{name} 在{where}中不对：{problem}"
            if case.hint:
                message += f"\n提示：{case.hint}"
            return _finish(CheckResult(name, False, message, number), strict)
    message = f"{name} 通过了全部 {len(cases)} 个测试情形。"
    return _finish(CheckResult(name, True, message, len(cases)), strict)


def _finish(result: CheckResult, strict: bool) -> CheckResult:
    if strict and not result.passed:
        raise AssertionError(result.message)
    return result
