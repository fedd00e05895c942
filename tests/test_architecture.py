"""The package's structure (docs/architecture.md): no import cycle, no hidden imports.

Every import is read from the source with ``ast``, the ones inside functions included, so
a cycle cannot hide behind a function-level import. A function-level import of a
``landuse`` module is allowed only at the documented seams: the optional extras (dask,
serve), the command line (start-up time) and the dask executor. A private module
(``_name``) is imported only inside its own package, except the documented seams. Code
cites only documents that ship in ``docs/``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "landuse"

#: (importing module, imported module prefix) pairs allowed inside functions
FUNCTION_SEAMS = (
    ("landuse.cli", "landuse"),  # the CLI loads the library per command (start-up time)
    ("landuse.run.region", "landuse.dask"),  # the optional extra executes a region
    ("landuse.dask.region", "landuse.dask.engine"),  # imports without distributed
)
#: private modules imported from another package: (importer prefix, private module)
PRIVATE_SEAMS = (
    ("landuse", "landuse._validate"),  # the one validation module of every public function
    ("landuse.run", "landuse._config_region"),  # the run's own config parts
    ("landuse.dask", "landuse.redlines._common"),  # the executor runs the checks' helpers
)


def _modules() -> dict[str, Path]:
    out = {}
    for f in PKG.rglob("*.py"):
        parts = f.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = f
    return out


def _imports(name: str, path: Path, *, type_only: bool = False
             ) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every landuse import of a module.

    Imports under ``if TYPE_CHECKING:`` are left out unless ``type_only``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    inside: set[int] = set()
    for n in ast.walk(tree):
        if not type_only and isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            skip |= {id(x) for x in ast.walk(n)}
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(x) for x in ast.walk(n)}
    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for n in ast.walk(tree):
        if id(n) in skip:
            continue
        if isinstance(n, ast.Import):
            targets = [a.name for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            base = n.module or ""
            if n.level:
                up = pkg.split(".")[: len(pkg.split(".")) - (n.level - 1)]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in n.names]
        else:
            continue
        for t in targets:
            if t.startswith("landuse"):
                out.append((t, n.lineno, id(n) in inside))
    return out


def _resolve(target: str, mods: dict[str, Path]) -> str | None:
    while target and target not in mods:
        target = target.rpartition(".")[0]
    return target or None


def _graph() -> dict[str, set[str]]:
    """Every landuse import, at module level, in functions and for type checking only.

    The package's own ``landuse/__init__.py`` names its submodules for type checkers only
    (they load lazily, PEP 562): that façade is not an edge.
    """
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, f in mods.items():
        for t, _, _ in _imports(m, f, type_only=m != "landuse"):
            r = _resolve(t, mods)
            if r is not None and r != m:
                graph[m].add(r)
    return graph


def test_no_import_cycle_counting_function_level_and_type_only_imports() -> None:
    graph = _graph()
    # Tarjan's strongly connected components; a package's __init__ importing its own
    # submodules is not a cycle unless a submodule imports the package back
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert cycles == []


def test_function_level_imports_only_at_the_seams() -> None:
    mods = _modules()
    bad = []
    for m, f in sorted(mods.items()):
        for t, line, in_function in _imports(m, f):
            if not in_function or t.startswith(("landuse.dask", "landuse.serve")):
                continue
            if any(m.startswith(a) and t.startswith(b) for a, b in FUNCTION_SEAMS):
                continue
            bad.append(f"{f.relative_to(ROOT)}:{line} imports {t} inside a function")
    assert bad == []


def test_private_modules_stay_in_their_package() -> None:
    mods = _modules()
    bad = []
    for m, f in sorted(mods.items()):
        for t, line, _ in _imports(m, f):
            r = _resolve(t, mods)
            if r is None or not r.rpartition(".")[2].startswith("_") or r.endswith("__init__"):
                continue
            owner = r.rpartition(".")[0]
            if m == owner or m.startswith(owner + "."):
                continue
            if any(m.startswith(a) and r == b for a, b in PRIVATE_SEAMS):
                continue
            bad.append(f"{f.relative_to(ROOT)}:{line} imports the private {r}")
    assert bad == []


def test_private_names_stay_in_their_package() -> None:
    # ``from landuse.x.mod import _name``: a private name is the module's own business and
    # its package's; another package takes a public name (one definition, one place)
    mods = _modules()
    bad = []
    for m, f in sorted(mods.items()):
        for t, line, _ in _imports(m, f, type_only=True):
            r = _resolve(t, mods)
            name = t[len(r) + 1:] if r is not None and t != r else ""
            if not name.startswith("_") or r is None:
                continue
            owner = r.rpartition(".")[0] if not str(mods[r]).endswith("__init__.py") else r
            if m == owner or m.startswith(owner + "."):
                continue
            bad.append(f"{f.relative_to(ROOT)}:{line} imports the private name {t}")
    assert bad == []


#: (package, forbidden import prefix, why): the whiteboard's "never" arrows that the code
#: could break with one import (docs/architecture.md)
NEVER = (
    ("landuse.indicators", "landuse.io", "computing reads no file; the run hands it data"),
    ("landuse.redlines", "landuse.io", "computing reads no file; the run hands it data"),
)


def test_computing_imports_no_reader() -> None:
    mods = _modules()
    bad = []
    for m, f in sorted(mods.items()):
        for pkg, forbidden, why in NEVER:
            if m != pkg and not m.startswith(pkg + "."):
                continue
            for t, line, _ in _imports(m, f):
                if t == forbidden or t.startswith(forbidden + "."):
                    bad.append(f"{f.relative_to(ROOT)}:{line} imports {t} ({why})")
    assert bad == []


def test_the_never_rule_sees_an_import(tmp_path: Path) -> None:
    # the check above must be able to fail: a module of indicators importing a reader is
    # found, at module level and inside a function alike
    src = ("from landuse.io.raster import open_raster\n"
           "def f():\n    import landuse.io.vector\n")
    path = tmp_path / "probe.py"
    path.write_text(src, encoding="utf-8")
    found = [t for t, _, _ in _imports("landuse.indicators.probe", path)]
    assert found == ["landuse.io.raster.open_raster", "landuse.io.vector"]


def test_code_cites_only_shipped_documents() -> None:
    cited: dict[str, list[str]] = {}
    for f in PKG.rglob("*.py"):
        for m in re.finditer(r"docs/([A-Za-z_]+\.md)", f.read_text(encoding="utf-8")):
            cited.setdefault(m.group(1), []).append(str(f.relative_to(ROOT)))
        for m in re.finditer(r"(?<![/\w.-])([A-Za-z_]+\.md)\b", f.read_text(encoding="utf-8")):
            # a bare name: a document at the root (README.md, CHANGELOG.md), an output file
            # of the run, or a citation without its folder (which fails here)
            if not (ROOT / m.group(1)).is_file() and m.group(1) not in ("bulletin.md",):
                cited.setdefault(f"<bare {m.group(1)}>", []).append(str(f.relative_to(ROOT)))
    missing = {d: files for d, files in cited.items() if not (ROOT / "docs" / d).is_file()}
    assert missing == {}
    assert "domain.md" in cited and "contract.md" in cited


def test_architecture_lists_every_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [str(f.relative_to(ROOT)) for f in sorted(PKG.rglob("*.py"))
               if f"`{f.relative_to(ROOT)}`" not in text]
    assert missing == [], "add these modules to docs/architecture.md, 'Every module'"
