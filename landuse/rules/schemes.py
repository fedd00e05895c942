"""Land-class schemes: read 用地用海 (2023) and GB/T 21010-2017 codes as 三调 codes.

The rule sets and every indicator work on 三调 codes (TD/T 1055-2019, docs/domain.md §2.1). A
land-use layer coded in another scheme is mapped to them in the reader's normalisation
step (:func:`read_scheme`), through package data:

- ``ydyh_codes.csv``: the 2023 用地用海分类指南 codes (first and second level);
- ``crosswalk_sandiao_ydyh.csv``: every 三调 ↔ 用地用海 link; ``reading = 1`` marks the
  link a 用地用海 code is read through (exactly one per readable code). A 三调 class split
  into several 用地用海 classes (05H1 → 0901–0904) reads back unambiguously; a 用地用海
  class without a single 三调 counterpart (0702 城镇社区服务设施) is read as a
  representative class of the same 三大类 (status ``verify``) and reported as a finding.
  Six-digit codes (060101) are read through their four-digit class. Codes without any
  reading (16 留白用地, 2302 后备耕地, the sea classes 18–22 and 24) are an error;
- ``gb21010_codes.csv``: the full GB/T 21010-2017 codes (0501–0507, 0604, 0801–0808,
  0901–0906 …) and the 三调 class each is merged into.

``scheme = "auto"`` takes the schemes whose code lists contain every code found; when
several do and the codes mean the same 三调 class in each, the first of ``sandiao``,
``gb21010``, ``ydyh`` is used, and the choice is a finding. When a code means different
things in the candidate schemes (0602 is 采矿用地 in the 三调, 种植设施建设用地 in 用地用海)
the scheme is never guessed: the error lists those codes and asks for ``scheme``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import pandas as pd

from landuse.errors import SchemaError
from landuse.findings import Finding

__all__ = ["SCHEMES", "detect_scheme", "read_scheme", "scheme_codes", "scheme_hint"]

SCHEMES = ("sandiao", "ydyh", "gb21010", "auto")
SCHEME_NAMES = {"sandiao": "三调 (TD/T 1055-2019)", "ydyh": "用地用海 (2023 分类指南)",
                "gb21010": "GB/T 21010-2017"}
_DETECT_ORDER = ("sandiao", "gb21010", "ydyh")


def _csv(name: str) -> pd.DataFrame:
    with resources.files("landuse.rules").joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@lru_cache(maxsize=4)
def _table(scheme: str) -> pd.DataFrame:
    """Code -> ``sandiao`` (the 三调 code it is read as, '' = none), ``name``, ``status``."""
    if scheme == "sandiao":
        t = _csv("sandiao_codes.csv")
        return pd.DataFrame({"sandiao": t["code"].to_numpy(), "name": t["name_zh"].to_numpy(),
                             "status": ""}, index=pd.Index(t["code"], name="code"))
    if scheme == "gb21010":
        t = _csv("gb21010_codes.csv")
        return pd.DataFrame({"sandiao": t["sandiao_code"].to_numpy(),
                             "name": t["name_zh"].to_numpy(), "status": t["status"].to_numpy()},
                            index=pd.Index(t["code"], name="code"))
    if scheme == "ydyh":
        codes = _csv("ydyh_codes.csv").set_index("code")
        cw = _csv("crosswalk_sandiao_ydyh.csv")
        reading = cw[cw["reading"] == "1"]
        dup = reading["ydyh_code"].duplicated(keep=False)
        if dup.any():  # a packaging error, caught by the tests
            raise SchemaError("crosswalk_sandiao_ydyh.csv: several reading links for "
                              f"{sorted(set(reading.loc[dup, 'ydyh_code']))}")
        read = reading.set_index("ydyh_code")
        return pd.DataFrame({
            "sandiao": read["sandiao_code"].reindex(codes.index).fillna("").to_numpy(),
            "name": codes["name_zh"].to_numpy(),
            "status": read["status"].reindex(codes.index).fillna("").to_numpy(),
        }, index=pd.Index(codes.index, name="code"))
    raise SchemaError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")


def scheme_codes(scheme: str) -> pd.DataFrame:
    """Return the code table of a scheme (a copy): ``sandiao``, ``name``, ``status``.

    Examples
    --------
    >>> t = scheme_codes("ydyh")
    >>> t.loc["1202", ["sandiao", "name"]].tolist()
    ['1003', '公路用地']
    >>> scheme_codes("gb21010").loc["0503", "sandiao"]
    '05H1'
    """
    return _table(scheme).copy()


def _lookup(scheme: str, codes: pd.Index) -> pd.Series:
    """三调 code per found code under ``scheme``; NaN = not a code of the scheme."""
    t = _table(scheme)["sandiao"]
    out = pd.Series(codes.map(t), index=codes, dtype=object)
    if scheme == "ydyh":  # six-digit codes read through their four-digit class
        six = out.isna() & (codes.str.len() == 6)
        out[six] = codes[six].str[:4].map(t)
    return out


def detect_scheme(codes: Sequence[str] | pd.Series) -> tuple[str, str]:
    """Pick the scheme of a set of codes, or raise when the choice would be a guess.

    Returns
    -------
    tuple of str
        ``(scheme, note)``: the scheme and a sentence saying how it was chosen.

    Raises
    ------
    SchemaError
        No scheme knows every code (the unknown codes per scheme are listed), or the codes
        fit several schemes with different meanings (the codes and their meanings listed).

    Examples
    --------
    >>> detect_scheme(["0101", "05H1", "1203"])[0]
    'sandiao'
    >>> detect_scheme(["0101", "1701", "0703"])[0]
    'ydyh'
    """
    found = pd.Index(sorted({str(c) for c in codes if str(c) != ""}), dtype=object)
    mapped = {s: _lookup(s, found) for s in _DETECT_ORDER}
    fits = [s for s in _DETECT_ORDER if mapped[s].notna().all()]
    if not fits:
        unknown = {SCHEME_NAMES[s]: sorted(found[mapped[s].isna().to_numpy()])[:8]
                   for s in _DETECT_ORDER}
        raise SchemaError(f"the land-class codes fit no known scheme; codes unknown in each: "
                          f"{unknown}. Correct the codes or set [layers.landuse] scheme.")
    if len(fits) == 1:
        return fits[0], f"only {SCHEME_NAMES[fits[0]]} knows every code found"
    frame = pd.DataFrame({s: mapped[s] for s in fits})
    differ = frame[frame.nunique(axis=1) > 1]
    if len(differ):
        names = {s: _table(s)["name"] for s in fits}
        examples = [f"{c}: " + " / ".join(f"{SCHEME_NAMES[s]} {names[s].get(c, c[:4])}"
                                          for s in fits) for c in differ.index[:6]]
        raise SchemaError(
            f"the land-class codes fit {[SCHEME_NAMES[s] for s in fits]}, and "
            f"{len(differ)} of them mean different classes there ({'; '.join(examples)}): "
            "the scheme is not guessed. Set [layers.landuse] scheme = "
            f"{' or '.join(repr(s) for s in fits)}.")
    return fits[0], (f"the codes fit {', '.join(SCHEME_NAMES[s] for s in fits)} with the "
                     f"same meaning in each; read as {SCHEME_NAMES[fits[0]]}")


def scheme_hint(unknown: Sequence[str]) -> str:
    """Return a hint for codes unknown to the 三调 table that another scheme knows, or ''."""
    idx = pd.Index(sorted({str(c) for c in unknown}), dtype=object)
    for s in ("ydyh", "gb21010"):
        hits = idx[_lookup(s, idx).notna().to_numpy()]
        if len(hits):
            return (f" — {list(hits[:5])} are {SCHEME_NAMES[s]} codes: if the layer is coded "
                    f"in that scheme, set [layers.landuse] scheme = {s!r} (or 'auto')")
    return ""


def read_scheme(
    dlbm: pd.Series, kcdlbm: pd.Series, *, scheme: str | None, areas: pd.Series, source: str,
) -> tuple[pd.Series, pd.Series, list[Finding]]:
    """Map DLBM and KCDLBM of a layer from ``scheme`` to 三调 codes (docs/domain.md §7).

    Parameters
    ----------
    dlbm, kcdlbm : Series
        Normalised codes (:func:`landuse.rules.normalise_codes`).
    scheme : {"sandiao", "ydyh", "gb21010", "auto"} or None
        None and ``"sandiao"`` leave the codes as they are.
    areas : Series
        Patch areas (m²) for the findings.
    source : str
        The layer, for messages.

    Returns
    -------
    tuple
        ``(dlbm, kcdlbm, findings)``: the 三调 codes and the findings (the scheme detected
        by ``auto``; codes read through a representative or unconfirmed link).

    Raises
    ------
    SchemaError
        A code the scheme does not know or cannot read as a 三调 class, or ``auto`` on
        codes whose meaning depends on the scheme.
    """
    findings: list[Finding] = []
    if scheme is None or scheme == "sandiao":
        return dlbm, kcdlbm, findings
    if scheme not in SCHEMES:
        raise SchemaError(f"{source}: unknown scheme {scheme!r}; use one of "
                          f"{', '.join(SCHEMES)}")
    if scheme == "auto":
        scheme, note = detect_scheme(pd.concat([dlbm, kcdlbm]))
        findings.append(Finding(
            "scheme_detected", f"{source}: land-class scheme detected as "
            f"{SCHEME_NAMES[scheme]} ({note})", len(dlbm), "info", source, []))
        if scheme == "sandiao":
            return dlbm, kcdlbm, findings
    table = _table(scheme)
    out = []
    for field, col in (("DLBM", dlbm), ("KCDLBM", kcdlbm)):
        found = pd.Index(sorted(set(col) - {""}), dtype=object)
        mapped = _lookup(scheme, found)
        bad = mapped.isna() | (mapped == "")
        if bad.any():
            lst = [f"{c} ({table['name'].get(c, 'unknown')})" for c in found[bad.to_numpy()]]
            raise SchemaError(
                f"{source}: {field} codes {lst[:10]} have no 三调 reading in "
                f"{SCHEME_NAMES[scheme]} (unknown, or a class without a 三调 counterpart such "
                "as 16 留白用地 or a sea class). Correct them, or recode the layer; the "
                "crosswalk is landuse/rules/crosswalk_sandiao_ydyh.csv (docs/domain.md §7).")
        out.append(col.map(lambda c, m=mapped: m.get(c, "")).astype(object))
        status = table["status"].reindex(found).fillna("")
        six = pd.Index([c for c in found if c not in table.index])
        flagged = [c for c in found if status.get(c, "") == "verify"] + list(six)
        if flagged:
            area = float(areas[col.isin(flagged).to_numpy()].sum())
            findings.append(Finding(
                "scheme_mapped", f"{source}: {field} codes {flagged[:8]} of "
                f"{SCHEME_NAMES[scheme]} read as 三调 "
                f"{[str(mapped[c]) for c in flagged[:8]]} through a representative or "
                f"unconfirmed link (status verify, or a six-digit code read through its "
                f"class); {area:.2f} m²", int(col.isin(flagged).sum()), "warning", source,
                flagged[:5]))
    findings.append(Finding(
        "scheme_read", f"{source}: codes read from {SCHEME_NAMES[scheme]} into 三调 classes "
        "(landuse/rules/crosswalk_sandiao_ydyh.csv, gb21010_codes.csv)", len(dlbm), "info",
        source, []))
    return out[0], out[1], findings
