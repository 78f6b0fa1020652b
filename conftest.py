"""Project-wide pytest hooks.

nbval in lax mode only fails a notebook cell that raises. The book also treats
warnings as errors: a cell that writes anything to stderr (a warning, e.g.
matplotlib's "Glyph ... missing from font(s)") fails here, with the text shown.
"""

import re

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # re-raises if the cell itself failed
    outputs = getattr(item, "test_outputs", None) or []
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    if stderr.strip():
        pytest.fail(f"单元格向 stderr 输出了内容（警告即错误）(cell wrote to stderr; warnings are errors):\n{stderr}")
    return result


# How the work is shared between pytest-xdist's workers: every test file is one unit of work
# (as with --dist loadfile: a notebook's cells must run in order, in one kernel), except the
# JupyterLab test, whose chapters are dealt into LAB_GROUPS units, so that two workers (each
# with its own JupyterLab) share the longest file. The long units go first, so the workers
# start on them and the short files fill in around them. (xdist's own --dist loadgroup would
# do this with marks, but it renames test ids in a way pytest 9 no longer honours.)
JUPYTERLAB = "tests/test_jupyterlab.py"
LONG_FIRST = (JUPYTERLAB, "tests/test_browser.py")
LAB_GROUPS = 2


def work_unit(nodeid: str) -> str:
    """The unit of work a test id belongs to: its file, or one of the JupyterLab groups."""
    path = nodeid.split("::")[0]
    chapter = re.search(r"\[(\d\d)_", nodeid)
    if path == JUPYTERLAB and chapter:  # odd chapters in one group, even ones in the other
        return f"{JUPYTERLAB}-{int(chapter[1]) % LAB_GROUPS}"
    return path


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return ByWorkUnit(config, log)


def pytest_collection_modifyitems(session, config, items):
    rank = {path: i for i, path in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(LONG_FIRST)))
