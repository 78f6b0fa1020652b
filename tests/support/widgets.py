"""Find the book's interactive figures in a page and move their controls, as a reader would.

Shared by the browser test (the static book), the JupyterLab test (a live kernel) and
scripts/measure_slider_latency.py. A move is done inside the page, and timed there: from
the input event to the change of the figure's picture plus the two animation frames
that paint it. While a figure says "计算中…" (a frame being computed in the kernel) the
move is not finished.
"""

from __future__ import annotations

KINDS = {"slider": ".widget-hslider", "toggle": ".widget-toggle-buttons", "dropdown": ".widget-dropdown"}
BUSY_TEXT = "计算中"

MOVE_JS = """
([body, control, kind, backward, busyText, timeoutMs]) => new Promise(resolve => {
  const t0 = performance.now();
  let finished = false;
  const finish = (value) => {
    if (finished) return;
    finished = true;
    observer.disconnect();
    if (value < 0) { resolve(value); return; }
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
  };
  const observer = new MutationObserver(() => {
    if (!body.textContent.includes(busyText)) finish(0);
  });
  observer.observe(body, {subtree: true, childList: true, attributes: true, characterData: true});
  if (kind === "slider") {
    const handle = control.querySelector(".noUi-handle");
    const now = handle.getAttribute("aria-valuenow");
    const atMax = now === handle.getAttribute("aria-valuemax");
    const atMin = now === handle.getAttribute("aria-valuemin");
    const key = (atMax || (backward && !atMin)) ? "ArrowLeft" : "ArrowRight";
    handle.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true, cancelable: true}));
  } else if (kind === "toggle") {
    const buttons = [...control.querySelectorAll("button")];
    const active = buttons.findIndex(b => b.classList.contains("mod-active"));
    buttons[(active + 1) % buttons.length].click();
  } else {
    const select = control.querySelector("select");
    select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
    select.dispatchEvent(new Event("change", {bubbles: true}));
  }
  setTimeout(() => finish(-1), timeoutMs);
})
"""


def figures(page):
    """Locator of every interactive figure of the book in the page."""
    return page.locator(".mlbook-interactive")


def controls(figure) -> list[tuple[object, str, str]]:
    """(locator, kind, label) of every control of one figure."""
    found = []
    for kind, selector in KINDS.items():
        for control in figure.locator(selector).all():
            found.append((control, kind, control.locator(".widget-label").first.inner_text()))
    return found


def body(figure):
    """What a control changes: the picture and panels (not the controls themselves)."""
    return figure.locator(".mlbook-figure-body")


def move(page, figure, control, kind: str, backward: bool = False, timeout_ms: int = 10_000) -> float:
    """Move one control one step; milliseconds until the figure shows the new frame (-1: it never did)."""
    return page.evaluate(MOVE_JS, [body(figure).element_handle(), control.element_handle(), kind, backward,
                                   BUSY_TEXT, timeout_ms])
