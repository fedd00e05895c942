"""The county cut, generated once per test session for the catalogue and the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bad_inputs.county import build_base


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("county_cut")
    build_base(folder)
    return folder
