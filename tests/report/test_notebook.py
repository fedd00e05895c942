"""The walkthrough notebook runs top to bottom on the sample county (nbclient, python3 kernel)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "walkthrough.ipynb"


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "sample_data" / "config.toml").exists(),
                    reason="sample_data/config.toml not generated yet")
def test_walkthrough_executes() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    # results display inline: tables as HTML and the map as an image
    kinds = {k for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             for k in o.get("data", {})}
    assert {"text/html", "image/png"} <= kinds
