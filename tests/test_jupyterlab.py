"""Every chapter with an interactive figure, in a real JupyterLab: run it, move one control of each figure.

A chapter runs the cells its figures need: the first code cell, the figure cells and every
earlier cell that binds or changes a name they use (tests/support/notebook_deps.py). What this
test checks is JupyterLab and a live kernel; that every cell runs is nbval's job, in the same
kind of kernel.

One JupyterLab server serves all chapters, loaded once in one browser page; each chapter
is opened in it, run, and closed, and its kernel is shut down afterwards. In a kernel the figures are live:
the default frame is drawn at once and any other frame on demand, so a move here
exercises the kernel round trip, not the precomputed frames of the HTML book.
When a test fails it leaves what explains it in tests/artifacts/jupyterlab/: a
screenshot, the server log and the notebook as the kernel left it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import widgets
from tests.support.browser import block_external, launch
from tests.support.jupyterlab import close_notebooks, lab_server, open_lab, open_notebook, run_all
from tests.support.notebook_deps import cells_figures_need, figure_cells

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts" / "jupyterlab"
CHAPTERS = sorted(p for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")
                  if figure_cells(json.loads(p.read_text(encoding="utf-8"))["cells"]))



@pytest.fixture(scope="module")
def lab():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with lab_server(*CHAPTERS) as server, launch() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        blocked = block_external(page, (server.base, "ws://127.0.0.1"))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        open_lab(page, server.base)
        yield server, page, blocked, errors


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_and_every_figure_responds(lab, chapter):
    server, page, blocked, errors = lab
    errors.clear()
    notebook = server.notebook(chapter.name)
    try:
        open_notebook(page, server.base, notebook)
        cells = cells_figures_need(chapter)
        seconds, nb = run_all(page, server.base, notebook, cells=cells)
        print(f"\nJupyterLab ran the {len(cells)} cells of {chapter.name} its figures need in {seconds:.1f} s")
        outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
        assert not [o for o in outputs if o.get("name") == "stderr"], "a cell wrote to stderr in JupyterLab"
        assert not [o for o in outputs if o["output_type"] == "error"], "a cell raised in JupyterLab"
        n_views = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
        figures = widgets.figures(page)
        assert n_views > 0 and figures.count() == n_views, f"{n_views} widget outputs, {figures.count()} figures"
        for i in range(figures.count()):
            figure = figures.nth(i)
            figure.scroll_into_view_if_needed()
            # a picture (PNG or SVG) or, for figures drawn as HTML (chapter 6's grids), a table
            widgets.body(figure).locator("img, svg, table").first.wait_for(state="visible",
                                                                        timeout=30_000)
            control, kind, label = widgets.controls(figure)[0]
            before = widgets.body(figure).screenshot(path=str(ARTIFACTS / f"{chapter.stem}_fig{i}_before.png"))
            ms = widgets.move(page, figure, control, kind)
            after = widgets.body(figure).screenshot(path=str(ARTIFACTS / f"{chapter.stem}_fig{i}_after.png"))
            print(f"figure {i}: {kind} '{label}' redrawn in {ms:.0f} ms")
            assert ms >= 0, f"figure {i}: the figure did not change after moving {kind} '{label}'"
            assert after != before, f"figure {i}: moving {kind} '{label}' did not change the picture"
        assert errors == [], errors
        assert blocked == [], f"JupyterLab tried to reach the internet: {blocked}"
    except BaseException:
        # What explains a failure: the screen, the server's log, the notebook as the kernel left it.
        page.screenshot(path=str(ARTIFACTS / f"{chapter.stem}_FAILED.png"), full_page=True)
        (ARTIFACTS / f"{chapter.stem}_server.log").write_text(server.log(), encoding="utf-8")
        if notebook.exists():
            shutil.copy(notebook, ARTIFACTS / f"{chapter.stem}_FAILED.ipynb")
        (ARTIFACTS / f"{chapter.stem}_kernels.json").write_text(json.dumps(server.api("kernels"), indent=1))
        raise
    finally:
        try:
            close_notebooks(page)
        except Exception:  # noqa: BLE001 - a page in a bad state: load JupyterLab afresh
            open_lab(page, server.base)
        server.shut_down_kernels()
