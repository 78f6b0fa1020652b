"""Chapter 2 in a real JupyterLab: run every cell, move the K slider, see the figure change."""

from __future__ import annotations

from pathlib import Path

from tests.support.browser import block_external, launch
from tests.support.jupyterlab import figure_slider, lab_server, open_and_run_all

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts" / "jupyterlab"


def test_knn_notebook_runs_and_k_slider_redraws():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with lab_server(ROOT / "book" / "02_knn.ipynb") as (base, notebook), launch() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        blocked = block_external(page, (base, "ws://127.0.0.1"))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        seconds, nb = open_and_run_all(page, base, notebook)
        print(f"\nJupyterLab ran every cell of {notebook.name} in {seconds:.1f} s")
        outputs = [(c, o) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
        assert not [o for _, o in outputs if o.get("name") == "stderr"], "a cell wrote to stderr in JupyterLab"
        assert not [o for _, o in outputs if o["output_type"] == "error"], "a cell raised in JupyterLab"
        figure, slider = figure_slider(page, 0, "K")
        body = figure.locator(".mlbook-figure-body")
        body.locator("img").first.wait_for(state="visible", timeout=30_000)
        before = body.screenshot(path=str(ARTIFACTS / "knn_before.png"))
        handle = slider.locator(".noUi-handle")
        value_before = slider.locator(".widget-readout").inner_text()
        handle.focus()
        handle.press("ArrowRight")
        page.wait_for_function(
            "([el, old]) => el.textContent.trim() !== old", arg=[slider.locator(".widget-readout").element_handle(),
                                                                 value_before.strip()])
        page.wait_for_timeout(300)
        after = body.screenshot(path=str(ARTIFACTS / "knn_after.png"))
        value_after = slider.locator(".widget-readout").inner_text()
        print(f"K slider: {value_before} -> {value_after}")
        assert value_after != value_before
        assert after != before, "the figure did not change when K moved"
        assert errors == [], errors
        assert blocked == [], f"JupyterLab tried to reach the internet: {blocked}"
        page.screenshot(path=str(ARTIFACTS / "jupyterlab.png"))
