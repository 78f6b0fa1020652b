"""The machinery behind every ``check_<name>(fn)`` of the exercises.

A checker runs the reader's function on a list of ``Case`` objects and
returns a ``CheckResult``: shown as ✓, or as ✗ with a Chinese message that
names the failing case, what was expected, what came back and a hint. A
checker never raises on a wrong answer (the reader's notebook keeps running);
``strict=True`` makes it raise ``AssertionError`` instead, which is how each
reference solution in the book proves that its checker accepts it.
"""

from __future__ import annotations

import html
import math
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


def compare(result: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-5) -> str | None:
    """None if ``result`` matches ``expected``; otherwise a Chinese description of the difference."""
    if isinstance(expected, (bool, str)) or expected is None:
        return None if result == expected else f"期望 {expected!r}，得到 {_short(result)}"
    if isinstance(expected, (int, float, np.number)) and not isinstance(result, (list, tuple)):
        try:
            got = float(to_numpy(result))
        except (TypeError, ValueError):
            return f"期望一个数 {expected!r}，得到 {_short(result)}（类型 {type(result).__name__}）"
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
    if got.shape != want.shape:
        return f"形状不对：期望 {want.shape}，得到 {got.shape}"
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


def run_cases(fn: Callable, cases: list[Case], name: str | None = None, strict: bool = False) -> CheckResult:
    """Run ``fn`` on every case; stop at the first failure and explain it."""
    if not callable(fn):
        result = CheckResult(str(fn), False, f"请传入一个函数（pass a function），而不是 {type(fn).__name__}", 0)
        return _finish(result, strict)
    name = name or getattr(fn, "__name__", "你的函数")
    for number, case in enumerate(cases, start=1):
        where = f"情形 {number}「{case.description}」"
        try:
            result = fn(*case.args, **case.kwargs)
        except NotImplementedError:
            message = f"{name} 还没有实现：把 raise NotImplementedError 换成你的代码，再运行这个单元格。"
            return _finish(CheckResult(name, False, message, number - 1), strict)
        except Exception as exc:  # noqa: BLE001 - report any error of the reader's code
            if case.raises is not None and isinstance(exc, case.raises):
                continue
            last = traceback.extract_tb(exc.__traceback__)[-1]
            message = (
                f"{name} 在{where}中出错：{type(exc).__name__}: {exc}"
                f"（第 {last.lineno} 行：{last.line}）"
            )
            if case.hint:
                message += f"\n提示：{case.hint}"
            return _finish(CheckResult(name, False, message, number), strict)
        if case.raises is not None:
            message = f"{name} 在{where}中应该抛出 {case.raises.__name__}，却返回了 {_short(result)}"
            if case.hint:
                message += f"\n提示：{case.hint}"
            return _finish(CheckResult(name, False, message, number), strict)
        problem = case.check(result) if case.check else compare(result, case.expected, case.atol, case.rtol)
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
