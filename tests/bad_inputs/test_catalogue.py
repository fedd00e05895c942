"""Every case of the catalogue through ``landuse check`` and ``landuse run``.

The county cut is generated once per session (conftest ``base``); each case breaks a copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bad_inputs.cases import CASES, Case
from tests.bad_inputs.runner import run_case


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 100
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, base: Path, tmp_path: Path) -> None:
    got = run_case(case, base, tmp_path)
    assert got.handled, "\n".join(got.problems)
    assert not got.internal_error
    assert not got.inputs_modified
    if case.exit == 2 and "run" in case.commands:
        assert got.out_intact
