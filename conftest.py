"""Project-wide pytest hooks.

nbval in lax mode only fails a notebook cell that raises. The book also treats
warnings as errors: a cell that writes anything to stderr (a warning, e.g.
matplotlib's "Glyph ... missing from font(s)") fails here, with the text shown.
"""

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # re-raises if the cell itself failed
    outputs = getattr(item, "test_outputs", None) or []
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    if stderr.strip():
        pytest.fail(f"单元格向 stderr 输出了内容（警告即错误）(cell wrote to stderr; warnings are errors):\n{stderr}")
    return result


# The two long files (a browser over the built book, a JupyterLab) go first, so that the two
# workers start one each and the short files fill in around them; with xdist's default order
# (files with the most tests first) both could end up at the tail of one worker.
LONG_FIRST = ("tests/test_browser.py", "tests/test_jupyterlab.py")


def pytest_collection_modifyitems(session, config, items):
    rank = {path: i for i, path in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(LONG_FIRST)))
