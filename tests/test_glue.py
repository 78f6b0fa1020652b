"""helpers.glue writes exactly what myst_nb.glue writes (the book build reads it), without its import cost."""

from unittest import mock

import numpy as np
import pytest
import torch

import helpers.glue as fast
from helpers.glue import sci
from myst_nb.ext import glue as reference


@pytest.mark.parametrize("value", [0.123456, "狼群 A（A 2 票，B 1 票）", 42])
@pytest.mark.parametrize("display", [True, False])
def test_same_display_data_as_myst_nb(value, display):
    with mock.patch.object(reference, "ipy_display") as ref_display, \
            mock.patch.object(fast, "ipy_display") as our_display:
        reference.glue("name", value, display)
        fast.glue("name", value, display)
    assert our_display.call_args == ref_display.call_args
    assert fast.GLUE_PREFIX == reference.GLUE_PREFIX


def test_bad_name_is_refused():
    with pytest.raises(ValueError, match="非空字符串"):
        fast.glue("", 1)


@pytest.mark.parametrize("value, digits, text", [
    (1e-4, 1, "1.0 × 10⁻⁴"), (4.63e-5, 2, "4.63 × 10⁻⁵"), (9.87e5, 1, "9.9 × 10⁵"),
    (-0.00012, 1, "-1.2 × 10⁻⁴"), (3.25, 2, "3.25"), (1e10, 0, "1 × 10¹⁰"),
    (np.float32(2.5e-3), 1, "2.5 × 10⁻³"), (torch.tensor(1.1e3), 1, "1.1 × 10³"),
])
def test_sci_writes_numbers_as_the_prose_does(value, digits, text):
    assert sci(value, digits) == text


@pytest.mark.parametrize("value, digits", [
    ("1e-4", 1), (float("nan"), 1), (float("inf"), 1), (np.array([1.0, 2.0]), 1), (True, 1),
    (1.0, -1), (1.0, 1.5),
])
def test_sci_refuses_what_is_not_a_finite_number(value, digits, raises_bilingual):
    raises_bilingual(sci, value, digits)


@pytest.mark.parametrize("value", [np.float64(1.239), np.int64(3), torch.tensor(0.5), np.array(2.5)])
def test_numpy_and_torch_scalars_are_glued_as_python_numbers(value):
    with mock.patch.object(reference, "ipy_display") as ref_display, \
            mock.patch.object(fast, "ipy_display") as our_display:
        reference.glue("name", value.item(), False)
        fast.glue("name", value, False)
    assert our_display.call_args == ref_display.call_args
