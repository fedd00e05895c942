"""A hand-made county whose survey tables are worked out on paper (tests/tables).

County 370399 测试县; townships 370399100 甲镇 (villages …001, …002) and 370399101 乙镇
(village …001). Areas in m² (TBDLMJ = TBMJ − KCMJ):

====  =====  ======  ======  ====  =====  =====  ======  ======================
BSM   DLBM   TBMJ    KCMJ    vil   QSXZ   CZCS   GDPDJB  other
====  =====  ======  ======  ====  =====  =====  ======  ======================
1     0101   20000   1000    A1    30            1       ZZSXDM LS
2     0103   10000    600    A2    30            3       GDLX TT, FLS, HDGD
3     0103    5000    500    B1    20            2       GDLX PD
4     0402    3000      0    B1    10                    (wetland)
5     0404    2000      0    B1    30
6     1106    1500      0    A1    10                    (wetland)
7     0201K   4000      0    A2    30                    FRDBS 1, owner B1
8     0702    6000      0    A1    30     203
9     0601    2500      0    A2    40     203A
10    1003    1000      0    B1    20
11-13 0301    33.33 each     A1, A2, B1 (30)
====  =====  ======  ======  ====  =====  =====  ======  ======================

Deductions are 田坎 (KCDLBM 1203). XZQ control areas: 甲镇 44066.66 m² (= Σ TBMJ), 乙镇
11083.33 m² (50 m² more than Σ TBMJ 11033.33: a control-area difference).
"""

from __future__ import annotations

import pandas as pd

COUNTY, A, B = "370399", "370399100", "370399101"
A1, A2, B1 = A + "001", A + "002", B + "001"

_ROWS = [
    # BSM, DLBM, TBMJ, KCMJ, village, QSXZ, CZCSXM, GDPDJB, GDLX, ZZSXDM, TBXHDM, FRDBS, QSDWDM
    ("1", "0101", 20000.0, 1000.0, A1, "30", "", "1", "", "LS", "", "0", A1),
    ("2", "0103", 10000.0, 600.0, A2, "30", "", "3", "TT", "FLS", "HDGD", "0", A2),
    ("3", "0103", 5000.0, 500.0, B1, "20", "", "2", "PD", "", "", "0", B1),
    ("4", "0402", 3000.0, 0.0, B1, "10", "", "", "", "", "", "0", B1),
    ("5", "0404", 2000.0, 0.0, B1, "30", "", "", "", "", "", "0", B1),
    ("6", "1106", 1500.0, 0.0, A1, "10", "", "", "", "", "", "0", A1),
    ("7", "0201K", 4000.0, 0.0, A2, "30", "", "", "", "", "", "1", B1),
    ("8", "0702", 6000.0, 0.0, A1, "30", "203", "", "", "", "", "0", A1),
    ("9", "0601", 2500.0, 0.0, A2, "40", "203A", "", "", "", "", "0", A2),
    ("10", "1003", 1000.0, 0.0, B1, "20", "", "", "", "", "", "0", B1),
    ("11", "0301", 33.33, 0.0, A1, "30", "", "", "", "", "", "0", A1),
    ("12", "0301", 33.33, 0.0, A2, "30", "", "", "", "", "", "0", A2),
    ("13", "0301", 33.33, 0.0, B1, "30", "", "", "", "", "", "0", B1),
]


def landuse() -> pd.DataFrame:
    """The normalised land-use frame of the county (docs/architecture.md columns)."""
    cols = ["BSM", "DLBM", "TBMJ", "KCMJ", "village", "QSXZ", "CZCSXM", "GDPDJB", "GDLX",
            "ZZSXDM", "TBXHDM", "FRDBS", "QSDWDM"]
    df = pd.DataFrame(_ROWS, columns=cols)
    df["KCDLBM"] = ["1203" if k > 0 else "" for k in df["KCMJ"]]
    df["KCXS"] = 0.0
    df["TBDLMJ"] = df["TBMJ"] - df["KCMJ"]
    df["DLMC"] = ""
    df["ZLDWDM"] = df["village"] + "0000000"
    df["ZLDWMC"] = df["village"].map({A1: "甲一村", A2: "甲二村", B1: "乙一村"})
    df["QSDWDM"] = df["QSDWDM"] + "0000000"
    df["county"] = COUNTY
    df["township"] = df["village"].str.slice(0, 9)
    return df


def townships() -> pd.DataFrame:
    """The XZQ frame: names and control areas (乙镇 50 m² above its Σ TBMJ)."""
    return pd.DataFrame({"zone": [A, B], "zone_name": ["甲镇", "乙镇"],
                         "control_area_m2": [44066.66, 11083.33]})
