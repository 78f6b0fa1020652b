"""Drive a real JupyterLab in headless Chromium: start a server, open a notebook, run it."""

from __future__ import annotations

import contextlib
import json
import re
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "mlbook-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(work: Path) -> None:
    settings = {
        # Don't ask to fetch Jupyter news (a pop-up over the notebook, and a request to the internet).
        ("apputils-extension", "notification"): '{"fetchNews": "false", "checkForUpdates": false}',
        # Every cell in the DOM, not only those in view: a figure far down can be found and moved.
        ("notebook-extension", "tracker"): '{"windowingMode": "none"}',
    }
    # JupyterLab typesets every equation of a chapter's text as it opens (up to 350 per chapter):
    # 6 CPU-s of the ~30 a chapter costs here, for math this test does not look at. The TeX is
    # the same the browser test checks, typeset by MathJax in the book's pages.
    labconfig = work / "config" / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text('{"disabledExtensions": {"@jupyterlab/mathjax-extension": true}}')
    for (extension, name), text in settings.items():
        path = work / "settings" / "@jupyterlab" / extension / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


class LabServer:
    """A running JupyterLab: its base URL, folder and log."""

    def __init__(self, base: str, work: Path, proc: subprocess.Popen) -> None:
        self.base, self.work, self.proc = base, work, proc
        self._shutdowns: list[threading.Thread] = []

    def notebook(self, name: str) -> Path:
        return self.work / name

    def log(self) -> str:
        return (self.work / "server.log").read_text(encoding="utf-8", errors="replace")

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(f"{self.base}/api/{path}?token={TOKEN}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        """Stop every kernel, so one chapter's kernel does not slow the next one down.

        The server answers a shutdown once the kernel's process has exited (1-2 s for a kernel
        with torch loaded, mostly waiting): the requests run in the background meanwhile, and
        ``wait_for_shutdowns`` waits for them before the server stops."""
        for kernel in self.api("kernels"):
            thread = threading.Thread(target=self.api, args=(f"kernels/{kernel['id']}", "DELETE"), daemon=True)
            thread.start()
            self._shutdowns.append(thread)

    def wait_for_shutdowns(self, timeout_s: float = 20) -> None:
        deadline = time.time() + timeout_s
        for thread in self._shutdowns:
            thread.join(max(0.0, deadline - time.time()))


@contextlib.contextmanager
def lab_server(*notebooks: Path) -> Iterator[LabServer]:
    """A JupyterLab server on copies of ``notebooks`` (so autosave never touches the repository)."""
    work = Path(tempfile.mkdtemp(prefix="mlbook-lab-"))
    for notebook in notebooks:
        shutil.copy(notebook, work / notebook.name)
    _write_settings(work)
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(work / "runtime"), JUPYTER_CONFIG_DIR=str(work / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(work / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={work}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None",
           "--LabApp.extension_manager=readonly",  # no update checks, no news, no PyPI queries
           # window.jupyterapp: the test opens and closes notebooks inside one loaded JupyterLab
           # (loading the app costs 4-8 s of a busy machine; opening a notebook in it, well under 1 s)
           "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI machines run as root
    log = open(work / "server.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (work / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        server = LabServer(base, work, proc)
        try:
            yield server
        finally:
            server.wait_for_shutdowns()  # a kernel still stopping when the server goes would be left running
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


PROMPTS_JS = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim())"""


def _kernel_idle(base: str, notebook: Path) -> bool:
    """The notebook's kernel has started and is idle (asked of the server, not read off the page)."""
    try:
        with urllib.request.urlopen(f"{base}/api/sessions?token={TOKEN}", timeout=5) as response:
            sessions = json.loads(response.read())
    except OSError:
        return False
    return any(s.get("path", "").endswith(notebook.name) and (s.get("kernel") or {}).get("execution_state") == "idle"
               for s in sessions)


def open_lab(page, base: str, workspace: str = "mlbook") -> None:
    """Load JupyterLab in ``page`` once, with an empty workspace of its own."""
    page.goto(f"{base}/lab/workspaces/{workspace}?reset&token={TOKEN}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
    page.evaluate("() => window.jupyterapp.restored")


def open_notebook(page, base: str, notebook: Path) -> None:
    """Open ``notebook`` in the loaded JupyterLab (as a double click in the file browser does)
    and wait until its kernel has started and is idle."""
    page.evaluate("""async (path) => {
        const app = window.jupyterapp;
        const widget = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
        app.shell.activateById(widget.id);
        await widget.context.ready;
        await widget.sessionContext.ready;
    }""", notebook.name)
    page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=90_000)
    deadline = time.time() + 90
    while not _kernel_idle(base, notebook):
        if time.time() > deadline:
            raise TimeoutError("the notebook's kernel did not start within 90 s")
        page.wait_for_timeout(100)
    page.wait_for_function(
        "() => (document.querySelector('.jp-Notebook-ExecutionIndicator') || {}).getAttribute?.('data-status') === 'idle'",
        timeout=90_000)


def close_notebooks(page) -> None:
    """Close every open document at once (no "save your work?" dialog: the test saved it)."""
    page.evaluate("() => { for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) w.dispose(); }")


def run_all(page, base: str, notebook: Path, timeout_s: float = 240,
            cells: list[int] | None = None) -> tuple[float, dict]:
    """Run the open notebook's code cells from the top, then save it: all of them (Run ▸ Run
    All Cells), or, with ``cells`` (indices in the notebook), those cells in order (each
    selected and run, as Shift+Enter would).

    A run is finished when each of those code cells' prompts shows its execution number (none
    ``[*]``), read from the page, and the kernel is idle; it has failed when the kernel is idle
    with some of them never run (a cell raised, and JupyterLab stopped there).
    Returns (seconds the run took, the saved notebook as a dict).
    """
    nb_cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [i for i, c in enumerate(nb_cells) if c["cell_type"] == "code"]
    run = code if cells is None else sorted(cells)
    if not set(run) <= set(code):
        raise ValueError(f"not code cells: {sorted(set(run) - set(code))}")
    ordinals = [code.index(i) for i in run]  # positions among the code cells' prompts
    start = time.time()
    page.evaluate("""([all, indices]) => {
        const app = window.jupyterapp, panel = app.shell.currentWidget, nb = panel.content;
        app.shell.activateById(panel.id);
        // not awaited: the run is watched from here
        if (all) { app.commands.execute('notebook:run-all-cells'); return; }
        for (const i of indices) {   // each command queues its cell's execution at once
            nb.activeCellIndex = i;
            nb.deselectAll();
            app.commands.execute('notebook:run-cell');
        }
    }""", [cells is None, run])
    idle_unfinished = 0
    while True:
        # A cell whose input is collapsed (a hidden reference solution) shows an empty prompt:
        # it counts as done once every other prompt has its number and the kernel is idle.
        every = page.evaluate(PROMPTS_JS)
        prompts = [every[k] for k in ordinals if k < len(every)]
        shown = [t for t in prompts if t]
        idle = _kernel_idle(base, notebook)
        if shown and all(re.fullmatch(r"\[\d+\]:?", t) for t in shown) and idle:
            break
        started = any(re.fullmatch(r"\[(\*|\d+)\]:?", t) for t in shown)
        idle_unfinished = idle_unfinished + 1 if idle and started and not any("*" in t for t in shown) else 0
        if idle_unfinished >= 20:  # 2 s idle with cells left unrun
            raise AssertionError(f"the run stopped before the end (a cell raised?); prompts: {prompts}")
        if time.time() > start + timeout_s:
            raise TimeoutError(f"cells still running after {timeout_s} s; prompts: {prompts}")
        page.wait_for_timeout(100)
    seconds = time.time() - start
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            nb = json.loads(notebook.read_text(encoding="utf-8"))
        except json.JSONDecodeError:  # read while the server was still writing it
            nb = {"cells": []}
        counts = [nb["cells"][i].get("execution_count") if i < len(nb["cells"]) else None for i in run]
        if all(counts):
            return seconds, nb
        page.wait_for_timeout(500)
    raise AssertionError(f"not every cell ran (or the notebook was not saved): execution counts {counts}")
