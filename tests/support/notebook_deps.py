"""Which cells of a chapter its interactive figures need: the figure cells, and every earlier
cell that defines (or changes) a name they use, followed back to the first cell.

The JupyterLab test runs only these cells: what it checks is that each figure is alive in a
live kernel; that every cell runs is nbval's job. The analysis reads the code (Python's ast,
after IPython turns magics into calls; the code inside a magic's text, as in ``%time f(x)``,
is not read: the book uses none). A cell *reads* a name it uses before binding it (a
loop variable, a function's parameters and locals, a comprehension's variables are its own);
it *binds* a name by assignment, import, ``def``/``class``, ``for``/``with``; it *changes* a
name by ``x[...] = ``, ``x.a = `` or ``x += ``. What it cannot see (an object changed by a
method call) at worst leaves a cell out, and a figure cell then fails with a NameError or a
wrong picture in that test: loudly, never silently.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager

#: A code cell that makes an interactive figure: an ``..._explorer(...)`` or ``InteractiveFigure(...)``.
FIGURE_CELL = re.compile(r"_explorer\(|InteractiveFigure\(")

_FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSION = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _stored(node: ast.AST) -> set[str]:
    """Names a target (or a function body) stores to, not looking into nested scopes."""
    found: set[str] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            found.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not node:
            found.add(n.name)
            continue
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            found.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            found.add(n.name)
        if isinstance(n, _FUNCTION + _COMPREHENSION) and n is not node:
            continue
        todo.extend(ast.iter_child_nodes(n))
    return found


def _params(f: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    a = f.args
    every = a.posonlyargs + a.args + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x]
    return {x.arg for x in every}


def _root(node: ast.AST) -> str | None:
    """The variable at the root of ``x.a``, ``x[i]``, ``x.a[i].b``."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _reads(node: ast.AST, bound: set[str]) -> set[str]:
    """Names ``node`` reads that are not in ``bound`` (bound before it, or local to its scope)."""
    if isinstance(node, list):
        return _reads_in_order(node, bound)
    if isinstance(node, ast.Name):
        return {node.id} - bound if isinstance(node.ctx, ast.Load) else set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        outside = node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d]
        inside = bound | _params(node) | _stored(node)
        return set().union(*(_reads(n, bound) for n in outside), _reads_in_order(node.body, inside))
    if isinstance(node, ast.Lambda):
        outside = node.args.defaults + [d for d in node.args.kw_defaults if d]
        return set().union(*(_reads(n, bound) for n in outside), _reads(node.body, bound | _params(node)))
    if isinstance(node, _COMPREHENSION):
        local = bound | set().union(*(_stored(g.target) for g in node.generators))
        found = _reads(node.generators[0].iter, bound)
        rest = [g.iter for g in node.generators[1:]] + [i for g in node.generators for i in g.ifs]
        rest += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        return found.union(*(_reads(n, local) for n in rest))
    if isinstance(node, (ast.For, ast.AsyncFor)):
        inside = bound | _stored(node.target)
        return _reads(node.iter, bound) | _reads_in_order(node.body + node.orelse, inside)
    if isinstance(node, (ast.With, ast.AsyncWith)):
        found = set().union(*(_reads(i.context_expr, bound) for i in node.items))
        inside = bound.union(*(_stored(i.optional_vars) for i in node.items if i.optional_vars))
        return found | _reads_in_order(node.body, inside)
    if isinstance(node, ast.ExceptHandler):
        found = _reads(node.type, bound) if node.type else set()
        return found | _reads_in_order(node.body, bound | ({node.name} if node.name else set()))
    if isinstance(node, ast.AugAssign):
        root = _root(node.target)
        return _reads(node.value, bound) | ({root} - bound if root else set()) | _reads(node.target, bound)
    if isinstance(node, (ast.If, ast.While, ast.Try)) or hasattr(ast, "TryStar") and isinstance(node, ast.TryStar):
        parts = [getattr(node, "test", None)]
        found = set().union(*(_reads(p, bound) for p in parts if p))
        for block in ("body", "orelse", "finalbody"):
            found |= _reads_in_order(getattr(node, block, []), bound)
        for handler in getattr(node, "handlers", []):
            found |= _reads(handler, bound)
        return found
    return set().union(*(_reads(n, bound) for n in ast.iter_child_nodes(node)))


def _reads_in_order(statements: list[ast.stmt], bound: set[str]) -> set[str]:
    """Reads of a block of statements, each seeing the names the ones before it bound."""
    found: set[str] = set()
    bound = set(bound)
    for statement in statements:
        found |= _reads(statement, bound)
        bound |= _stored(statement)
    return found


@dataclass
class CellNames:
    """What one code cell does with names."""

    binds: set[str] = field(default_factory=set)    # binds anew: x = ..., import x, def x, for x in
    changes: set[str] = field(default_factory=set)  # changes in place: x[...] = ..., x.a = ..., x += ...
    reads: set[str] = field(default_factory=set)    # uses a value from before the cell


def cell_names(source: str) -> CellNames:
    """What a code cell (its source, magics allowed) binds, changes and reads."""
    tree = ast.parse(TransformerManager().transform_cell(source))
    names = CellNames(reads=_reads_in_order(tree.body, set()))
    augmented = {n.target.id for n in ast.walk(tree)
                 if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    names.binds = _stored(tree) - augmented
    names.changes = set(augmented)
    for n in ast.walk(tree):
        if isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.ctx, (ast.Store, ast.Del)):
            root = _root(n)
            if root:
                names.changes.add(root)
    names.changes -= names.binds
    return names


def figure_cells(cells: list[dict]) -> list[int]:
    """Indices (in the notebook) of the code cells that make an interactive figure."""
    return [i for i, c in enumerate(cells)
            if c["cell_type"] == "code" and FIGURE_CELL.search("".join(c["source"]))]


def cells_figures_need(notebook: Path) -> list[int]:
    """Indices (in the notebook, in order) of the code cells the interactive figures need:
    the first code cell (imports and settings), the figure cells, and for every name a needed
    cell reads, the latest earlier cell that binds it and every cell between them that
    changes it in place (and, in turn, what those cells read)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    if not code:
        return []
    names = {i: cell_names("".join(cells[i]["source"])) for i in code}
    need = {code[0], *figure_cells(cells)}
    todo = sorted(need)
    while todo:
        cell = todo.pop()
        for name in names[cell].reads:
            for earlier in reversed([i for i in code if i < cell]):
                if name in names[earlier].binds or name in names[earlier].changes:
                    if earlier not in need:
                        need.add(earlier)
                        todo.append(earlier)
                    if name in names[earlier].binds:
                        break
    return sorted(need)
