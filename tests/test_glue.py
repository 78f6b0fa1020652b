"""helpers.glue writes exactly what myst_nb.glue writes (the book build reads it), without its import cost."""

from unittest import mock

import pytest

import helpers.glue as fast
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
