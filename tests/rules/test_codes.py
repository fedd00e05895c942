"""Land-class code normalisation (landuse.rules): values, index, and the reader's record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from landuse.rules import codes_are_normalised, mark_normalised, normalise_codes, normalised_codes


def test_normalise_codes_keeps_index_and_order():
    s = pd.Series([" 0201k", "05h1", None, "0201K", np.nan, "1202 "], index=[9, 7, 5, 3, 1, 0],
                  name="DLBM")
    out = normalise_codes(s)
    assert out.tolist() == ["0201K", "05H1", "", "0201K", "", "1202"]
    assert out.index.tolist() == [9, 7, 5, 3, 1, 0] and out.name == "DLBM"
    assert out.dtype == object
    assert normalise_codes(pd.Series([], dtype=object)).tolist() == []


def test_normalised_codes_checks_the_values_not_the_record():
    frame = pd.DataFrame({"DLBM": ["0201K"], "CZCSXM": [" 203a"]})
    assert normalised_codes(frame, "CZCSXM").tolist() == ["203A"]
    mark_normalised(frame, ("DLBM", "KCDLBM"))
    assert frame.attrs["normalised_codes"] == ["DLBM"]  # only columns that exist
    clean = frame["DLBM"]
    assert normalised_codes(frame, "DLBM") is not None
    pd.testing.assert_series_equal(normalised_codes(frame, "DLBM"), clean)
    # a recorded column edited after reading is normalised all the same: the record
    # documents what the reader did, the values decide
    frame.loc[0, "DLBM"] = " 0201k"
    assert normalised_codes(frame, "DLBM").tolist() == ["0201K"]
    assert normalised_codes(frame, "CZCSXM").tolist() == ["203A"]  # not recorded
    assert normalised_codes(frame, "KCDLBM").tolist() == [""]  # absent


def test_codes_are_normalised_looks_at_every_distinct_value():
    assert codes_are_normalised(pd.Series(["0101", "0201K", "0101"]))
    assert codes_are_normalised(pd.Series([], dtype=object))
    assert not codes_are_normalised(pd.Series(["0101", "0201k"]))
    assert not codes_are_normalised(pd.Series(["0101", " 0102"]))
    assert not codes_are_normalised(pd.Series(["0101", None]))
    assert not codes_are_normalised(pd.Series(["0101", np.nan]))
    assert not codes_are_normalised(pd.Series([101, 102]))  # numbers, not code strings


def test_farmland_is_one_definition_in_the_shipped_tables():
    from landuse.rules import code_table, farmland_codes, load_rules

    table = code_table()
    # the code table's farmland mark = its first-level class 01 耕地 (read independently)
    assert farmland_codes() == tuple(table.index[table["level1"] == "01"]) \
        == ("0101", "0102", "0103")
    for name in ("sandiao-default@1", "tugui-basis@1"):
        agg = load_rules(name).aggregate("farmland")
        assert agg.codes is not None and tuple(sorted(agg.codes)) == farmland_codes(), name
        assert agg.sandalei is None and agg.czcsxm is None, name
