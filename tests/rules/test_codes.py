"""Land-class code normalisation (landuse.rules): values, index, and the reader's record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from landuse.rules import mark_normalised, normalise_codes, normalised_codes


def test_normalise_codes_keeps_index_and_order():
    s = pd.Series([" 0201k", "05h1", None, "0201K", np.nan, "1202 "], index=[9, 7, 5, 3, 1, 0],
                  name="DLBM")
    out = normalise_codes(s)
    assert out.tolist() == ["0201K", "05H1", "", "0201K", "", "1202"]
    assert out.index.tolist() == [9, 7, 5, 3, 1, 0] and out.name == "DLBM"
    assert out.dtype == object
    assert normalise_codes(pd.Series([], dtype=object)).tolist() == []


def test_normalised_codes_trusts_only_the_recorded_columns():
    frame = pd.DataFrame({"DLBM": ["0201K"], "CZCSXM": [" 203a"]})
    # nothing recorded: both normalised
    assert normalised_codes(frame, "CZCSXM").tolist() == ["203A"]
    mark_normalised(frame, ("DLBM", "KCDLBM"))
    assert frame.attrs["normalised_codes"] == ["DLBM"]  # only columns that exist
    # a recorded column is taken as it is, not normalised again (the record is the reader's
    # promise; a value that breaks it shows that it is trusted)
    frame.loc[0, "DLBM"] = " 0201k"
    assert normalised_codes(frame, "DLBM").tolist() == [" 0201k"]
    assert normalised_codes(frame, "CZCSXM").tolist() == ["203A"]  # not recorded
    assert normalised_codes(frame, "KCDLBM").tolist() == [""]  # absent
