"""Input checks shared by the helpers: bad input gets a clear Chinese/English error.

Every message names what is wrong in Chinese, then in English, then the value
received, e.g. ``ValueError: k 必须是正整数 (k must be a positive integer), got 0``.
Arrays must hold real numbers: None, complex numbers and strings are refused, never
converted (``as_float_matrix``, ``as_vector``, ``as_class_labels``, ``check_numeric_dtype``).
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np


def to_numpy(a: Any) -> np.ndarray:
    """A NumPy array from a list, NumPy array or torch tensor (moved to the CPU)."""
    if hasattr(a, "detach") and hasattr(a, "cpu"):  # a torch tensor
        a = a.detach().cpu().numpy()
    return np.asarray(a)


def _is_real_number(value: Any) -> bool:
    """True for an int or float (Python or NumPy), False for booleans, strings, None, complex numbers."""
    return isinstance(value, (Real, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_))


#: dtype kinds a numeric helper accepts: bool, signed and unsigned integers, floats.
NUMERIC_KINDS = "biuf"


def check_numeric_dtype(arr: Any, name: str) -> Any:
    """``arr`` (a NumPy array or torch tensor) if its dtype is bool, integer or float; else a ValueError.

    Converting object, complex or string arrays to float would answer wrongly in silence:
    None becomes NaN, a complex number loses its imaginary part, the string "1" becomes 1.0.
    """
    if hasattr(arr, "is_complex"):  # a torch tensor: complex is its only non-real dtype
        bad = arr.is_complex()
    else:
        bad = arr.dtype.kind not in NUMERIC_KINDS
    if bad:
        raise ValueError(
            f"{name} 必须是数值数组（实数），不能含有 None、复数或字符串 ({name} must be an array of real "
            f"numbers, not None, complex numbers or strings), got dtype {arr.dtype}"
        )
    return arr


def check_finite_number(value: Any, name: str) -> float:
    """``value`` (a number, or a one-element array or tensor) as a float; ValueError unless finite and real."""
    if hasattr(value, "shape") and to_numpy(value).size == 1 and to_numpy(value).dtype.kind in "iuf":
        value = to_numpy(value).item()  # the chapter's b = torch.zeros(1) is a number too
    if not _is_real_number(value) or not np.isfinite(float(value)):
        raise ValueError(f"{name} 必须是有限实数 ({name} must be a finite real number), got {value!r}")
    return float(value)


def check_positive_int(value: Any, name: str) -> int:
    """``value`` as an int, or ValueError if it is not a positive integer."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)) or value <= 0:
        raise ValueError(f"{name} 必须是正整数 ({name} must be a positive integer), got {value!r}")
    return int(value)


def check_positive_number(value: Any, name: str) -> float:
    """``value`` as a float, or ValueError if it is not a finite number above zero."""
    if not _is_real_number(value) or not np.isfinite(float(value)) or float(value) <= 0:
        raise ValueError(f"{name} 必须是正数 ({name} must be a positive number), got {value!r}")
    return float(value)


def check_nonnegative_number(value: Any, name: str) -> float:
    """``value`` as a float, or ValueError if it is not a finite number >= 0 (a noise level, say)."""
    if not _is_real_number(value) or not np.isfinite(float(value)) or float(value) < 0:
        raise ValueError(f"{name} 必须是非负数 ({name} must be a non-negative number), got {value!r}")
    return float(value)


def check_nonnegative_int(value: Any, name: str) -> int:
    """``value`` as an int, or ValueError if it is not an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)) or value < 0:
        raise ValueError(f"{name} 必须是非负整数 ({name} must be a non-negative integer), got {value!r}")
    return int(value)


#: Seeds must fit in 32 bits: scikit-learn's ``random_state`` accepts no more.
MAX_SEED = 2**32 - 1


def check_seed(value: Any, name: str = "seed") -> int:
    """A random seed: an integer from 0 to ``MAX_SEED`` (what NumPy, torch and scikit-learn all accept)."""
    seed = check_nonnegative_int(value, name)
    if seed > MAX_SEED:
        raise ValueError(f"{name} 必须小于 2**32 ({name} must be below 2**32), got {value!r}")
    return seed


def check_fraction(value: Any, name: str) -> float:
    """``value`` as a float strictly between 0 and 1 (a ratio such as a test-set share)."""
    if not _is_real_number(value) or not 0 < float(value) < 1:
        raise ValueError(f"{name} 必须在 0 和 1 之间 ({name} must lie strictly between 0 and 1), got {value!r}")
    return float(value)


def as_list(values: Any, name: str) -> list[Any]:
    """The items of a list, tuple, range, array or tensor as a list; a string or a non-sequence is refused."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__") or getattr(values, "ndim", 1) == 0:
        raise ValueError(f"{name} 必须是一串值 ({name} must be a sequence of values), got {values!r}")
    return list(values)


def check_increasing(values: Any, name: str) -> list[float]:
    """At least two finite numbers in strictly increasing order, as floats rounded to 6 decimals.

    The rounding turns ``np.linspace``'s 0.30000000000000004 into 0.3, so that a slider's
    values print and compare as the numbers a chapter wrote.
    """
    try:
        items = list(to_numpy(values)) if hasattr(values, "shape") else list(values)
    except TypeError:
        items = None
    # float("0.3") and float(True) would succeed: strings and booleans are refused, not converted.
    if items is None or not all(_is_real_number(v) for v in items):
        raise ValueError(f"{name} 必须是一串数 ({name} must be a sequence of numbers), got {values!r}")
    numbers = [round(float(v), 6) for v in items]
    if len(numbers) < 2:
        raise ValueError(f"{name} 至少需要两个取值 ({name} needs at least two values), got {numbers}")
    if not all(np.isfinite(numbers)):
        raise ValueError(f"{name} 含有 NaN 或无穷大 ({name} contains NaN or infinite values), got {numbers}")
    if any(b <= a for a, b in zip(numbers, numbers[1:])):
        raise ValueError(f"{name} 必须严格递增 ({name} must be strictly increasing), got {numbers}")
    return numbers


def check_k(k: Any, n_train: int) -> int:
    """K for a nearest-neighbour method: a positive integer no larger than the training set."""
    k = check_positive_int(k, "k")
    if k > n_train:
        raise ValueError(
            f"k 不能大于训练样本数 {n_train} (k cannot exceed the {n_train} training samples), got {k}"
        )
    return k


def as_float_matrix(a: Any, name: str) -> np.ndarray:
    """A non-empty, finite 2-D float array (n samples x d features)."""
    arr = check_numeric_dtype(to_numpy(a), name)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} 必须是二维数组（样本数 × 特征数） ({name} must be 2-D: samples x features), "
            f"got shape {arr.shape}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} 不能为空 ({name} must not be empty), got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise ValueError(
            f"{name} 含有 {bad} 个 NaN 或无穷大 ({name} contains {bad} NaN or infinite values)"
        )
    return arr


def as_vector(a: Any, name: str, length: int | None = None, finite: bool = True) -> np.ndarray:
    """A non-empty 1-D array of real numbers, optionally of a given length, with no NaN or infinity."""
    arr = check_numeric_dtype(to_numpy(a), name)
    if arr.ndim != 1:
        raise ValueError(f"{name} 必须是一维数组 ({name} must be 1-D), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} 不能为空 ({name} must not be empty), got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(
            f"{name} 的长度 {arr.shape[0]} 与样本数 {length} 不一致 "
            f"(length {arr.shape[0]} of {name} does not match the {length} samples)"
        )
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} 含有 NaN 或无穷大 ({name} contains NaN or infinite values)")
    return arr


def as_class_labels(a: Any, name: str, length: int | None = None, n_classes: int | None = None) -> np.ndarray:
    """A non-empty 1-D int64 array of class labels: integers >= 0 (and below ``n_classes`` if given)."""
    arr = as_vector(a, name, length=length)
    message = f"{name} 必须是非负整数类别标签 ({name} must hold non-negative integer class labels)"
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{message}, got dtype {arr.dtype}")
    if arr.min() < 0:
        raise ValueError(f"{message}, got {int(arr.min())}")
    if n_classes is not None and arr.max() >= n_classes:
        raise ValueError(
            f"{name} 的标签必须在 0 到 {n_classes - 1} 之间 ({name} must lie in 0..{n_classes - 1}: "
            f"there are {n_classes} classes), got {int(arr.max())}"
        )
    return arr.astype(np.int64)


def check_same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise if two sample matrices have a different number of features."""
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} 有 {a.shape[1]} 个特征，{name_b} 有 {b.shape[1]} 个，必须相同 "
            f"({name_a} has {a.shape[1]} features but {name_b} has {b.shape[1]}; they must match)"
        )


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, else a ValueError listing them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} 必须是 {choices} 之一 ({name} must be one of {choices}), got {value!r}")
    return value


def check_module(model: Any) -> Any:
    """``model`` if it is a ``torch.nn.Module``; else a bilingual ValueError."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model 必须是 torch.nn.Module (model must be a torch.nn.Module), "
                         f"got {type(model).__name__}")
    return model
