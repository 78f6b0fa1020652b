"""tests/support/notebook_deps.py: which cells the JupyterLab test runs for a chapter's figures."""

import json
from pathlib import Path

import pytest

from tests.support.notebook_deps import cell_names, cells_figures_need, figure_cells

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("source, reads", [
    ("y = x + 1", {"x"}),
    ("X = X.to(device)", {"X", "device"}),                       # read before it is bound anew
    ("for k in range(n):\n    total = k", {"range", "n"}),       # the loop variable is the cell's own
    ("s = [i * w for i in range(3) if i != skip]", {"w", "range", "skip"}),
    ("f = lambda t, u=base: t * u + c", {"base", "c"}),
    ("def f(a, *rest, key=default):\n    b = a + shift\n    return g(b, key)", {"default", "shift", "g"}),
    ("a = 1\nb = a + z", {"z"}),                                # a: bound earlier in the cell
    ("with open(p) as fh:\n    text = fh.read()", {"open", "p"}),
    ("try:\n    v = risky()\nexcept ValueError as err:\n    print(err)", {"risky", "ValueError", "print"}),
    ("%matplotlib inline\nr = slow(q)", {"get_ipython", "slow", "q"}),   # a magic: IPython's own call
])
def test_a_cell_reads_only_what_it_uses_before_binding_it(source, reads):
    assert cell_names(source).reads == reads


def test_binds_and_in_place_changes_are_told_apart():
    names = cell_names("import numpy as np\nfrom a.b import c\nfig = 1\nmodel.weight = w\n"
                       "table[0] = 1\ncount += 1\ndef helper():\n    inner = 2\nclass Thing:\n    pass")
    assert names.binds == {"np", "c", "fig", "helper", "Thing"}
    assert names.changes == {"model", "table", "count"}


def _notebook(tmp_path, *sources):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# 标题"}]
    cells += [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
              for s in sources]
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_the_figures_need_their_definitions_and_changes_not_the_rest(tmp_path):
    path = _notebook(
        tmp_path,
        "import numpy as np",                       # 1: the first code cell: always
        "data = np.arange(5)",                      # 2: superseded by cell 4
        "unrelated = np.ones(3)",                   # 3: no figure uses it
        "data = np.linspace(0, 1, n_points)\nn_points = 9",  # 4: binds data; reads n_points (never bound before)
        "data[0] = offset",                         # 5: changes data; reads offset
        "offset = 2",                               # 6: after cell 5: not what cell 5 read
        "fig = data_explorer(data)",                # 7: a figure
        "print(unrelated)",                         # 8: after the last figure
    )
    assert figure_cells(json.loads(path.read_text())["cells"]) == [7]
    assert cells_figures_need(path) == [1, 4, 5, 7]


@pytest.mark.parametrize("path", sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_every_chapter_s_figures_are_found_with_what_they_need(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    need = cells_figures_need(path)
    figures = figure_cells(cells)
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    assert figures and set(figures) <= set(need) and need[0] == first_code
    assert all(cells[i]["cell_type"] == "code" and i <= max(figures) for i in need)
