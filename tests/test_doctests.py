"""The examples in the package's docstrings run as tests (doctests), one test per module.

``python -m pytest`` (the README's test command) runs them with the rest of the suite: every
module of ``landuse`` whose source holds a ``>>>`` line is imported and its examples are run
with :mod:`doctest`, ``ELLIPSIS`` on (as in pytest's own doctest runner). A test is used
rather than ``--doctest-modules`` so that the examples run in a scratch folder holding a link
to the repository's ``sample_data``: an example reads ``"sample_data/config.toml"`` as a user
at the repository root would, and whatever it writes lands in the scratch folder, never in
the repository.

Each test also checks that every ``>>>`` line of its module ran (only lines marked
``# doctest: +SKIP`` may be left out), so an example in a place doctest does not look (a
nested function, an object imported from another module) fails instead of passing unseen.
"""

from __future__ import annotations

import doctest
import importlib
import io
import re
from pathlib import Path

import pytest

import landuse

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(landuse.__file__).resolve().parent
PROMPT = re.compile(r"^\s*>>> ", re.MULTILINE)
SKIPPED = re.compile(r"^\s*>>> .*#\s*doctest:.*\+SKIP", re.MULTILINE)


def _modules_with_examples() -> list[str]:
    """Dotted names of the package's modules whose source holds a ``>>>`` line (no import)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py" or not PROMPT.search(path.read_text(encoding="utf-8")):
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _modules_with_examples()


def test_the_package_has_examples() -> None:
    # the scan above found the package's examples (an empty list would pass every test)
    assert "landuse.overlay" in MODULES and "landuse.units" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:  # an optional extra (dask, serve) not installed
        if exc.name is None or exc.name.split(".")[0] == "landuse":
            raise
        pytest.skip(f"{name} needs {exc.name}, which is not installed")
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    want = len(PROMPT.findall(source)) - len(SKIPPED.findall(source))

    if (ROOT / "sample_data").is_dir():
        (tmp_path / "sample_data").symlink_to(ROOT / "sample_data", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = io.StringIO()
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test, out=report.write)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} example(s) of {name} failed:\n{report.getvalue()}"
    assert attempted == want, (
        f"{name}: {want} '>>>' lines outside +SKIP, but doctest ran {attempted}; an example "
        "sits where doctest does not look (nested function, object imported from elsewhere)")
