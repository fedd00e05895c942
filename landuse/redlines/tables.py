"""The redline rule tables: where mining is prohibited, what may lie outside the boundary.

Both tables are package data in ``landuse/rules/`` (CSV, UTF-8), so a county can read,
diff and replace them; rows whose ``status`` is ``verify`` were not confirmed against the
standard's own text (docs/domain.md §3).

``mining_prohibited.csv``
    ``category, zone, prohibited, priority, reason_zh, reason_en, basis, status``. A protected
    feature matches the row with its exact ``(category, zone)`` first, then ``(category, "*")``;
    an empty ``zone`` cell matches only features without a zone. ``priority`` orders the
    withdrawal of existing rights (1 withdraws first).
``outside_boundary_allowed.csv``
    ``code, czcsxm, allowed, construction_type, type_zh, reason_zh, reason_en, status``. A
    construction-land patch matches, most specific first: ``(code, czcsxm)``, ``(code, "*")``,
    ``("*", czcsxm)``, ``("*", "*")``; an empty ``czcsxm`` cell means an empty 城镇村属性码.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from landuse.errors import ConfigError, SchemaError
from landuse.rules import normalise_codes

__all__ = [
    "MINING_RULE_COLUMNS",
    "OUTSIDE_RULE_COLUMNS",
    "load_mining_rules",
    "load_outside_allowed",
    "match_mining_rules",
    "match_outside_allowed",
]

MINING_RULE_COLUMNS = (
    "category", "zone", "prohibited", "priority", "reason_zh", "reason_en", "basis", "status",
)
OUTSIDE_RULE_COLUMNS = (
    "code", "czcsxm", "allowed", "construction_type", "type_zh", "reason_zh", "reason_en",
    "status",
)
MINING_RULES_FILE = "mining_prohibited.csv"
OUTSIDE_RULES_FILE = "outside_boundary_allowed.csv"


def _load(
    table: str | Path | pd.DataFrame | None, packaged: str, columns: tuple[str, ...]
) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        df, source = table.copy(), "the rules table passed in"
    elif table is None:
        with resources.files("landuse.rules").joinpath(packaged).open("r", encoding="utf-8") as f:
            df = pd.read_csv(f, dtype=str, keep_default_na=False)
        source = f"landuse/rules/{packaged}"
    else:
        path = Path(table)
        if not path.is_file():
            raise ConfigError(
                f"rules table {path} not found; give a CSV with the columns {list(columns)} "
                f"(copy landuse/rules/{packaged} and edit it)."
            )
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        source = str(path)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(
            f"rules table {source} lacks the column(s) {missing}; it needs {list(columns)} "
            f"(see landuse/rules/{packaged})."
        )
    df = df.astype({c: str for c in columns}).fillna("")
    for c in columns:
        df[c] = df[c].astype(object).map(lambda v: str(v).strip())
    df.attrs["source"] = source
    return df


def load_mining_rules(rules: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Load the table of protected categories and zones that prohibit mining.

    Parameters
    ----------
    rules : path or DataFrame, optional
        Another table with the columns of ``landuse/rules/mining_prohibited.csv``; default
        the packaged one.

    Returns
    -------
    DataFrame
        The table, ``prohibited`` as bool and ``priority`` as float (NaN where empty);
        ``attrs["source"]`` names where it came from.

    Examples
    --------
    >>> t = load_mining_rules()
    >>> bool(t.loc[t["category"] == "风景名胜区", "prohibited"].iloc[0])
    True
    """
    df = _load(rules, MINING_RULES_FILE, MINING_RULE_COLUMNS)
    bad = sorted(set(df["prohibited"]) - {"0", "1"})
    if bad:
        raise ConfigError(
            f"rules table {df.attrs['source']}: column prohibited must be 0 or 1, found {bad}"
        )
    out = df.copy()
    out["prohibited"] = df["prohibited"] == "1"
    try:
        out["priority"] = pd.to_numeric(df["priority"].replace("", np.nan)).astype(float)
    except ValueError as exc:
        raise ConfigError(
            f"rules table {df.attrs['source']}: column priority must be a number: {exc}"
        ) from None
    no_prio = out["prohibited"] & out["priority"].isna()
    if no_prio.any():
        raise ConfigError(
            f"rules table {df.attrs['source']}: prohibiting rows need a priority; missing for "
            f"{out.loc[no_prio, ['category', 'zone']].values.tolist()}"
        )
    dup = out.duplicated(["category", "zone"])
    if dup.any():
        raise ConfigError(
            f"rules table {df.attrs['source']}: duplicate (category, zone) rows "
            f"{out.loc[dup, ['category', 'zone']].values.tolist()}"
        )
    return out


def match_mining_rules(
    category: pd.Series, zone: pd.Series, rules: pd.DataFrame, *, layer: str
) -> pd.DataFrame:
    """Give each protected feature its rule row (exact zone first, then ``*``).

    Raises
    ------
    SchemaError
        When a (category, zone) pair has no rule, naming the pairs and the fix.
    """
    cat = category.fillna("").astype(str).str.strip().to_numpy()
    zon = zone.fillna("").astype(str).str.strip().to_numpy()
    keyed = rules.set_index(["category", "zone"])
    pos = np.full(len(cat), -1)
    lookup = {k: i for i, k in enumerate(keyed.index)}
    for i, (c, z) in enumerate(zip(cat, zon, strict=True)):
        pos[i] = lookup.get((c, z), lookup.get((c, "*"), -1))
    if (pos < 0).any():
        pairs = sorted({(c, z) for c, z, p in zip(cat, zon, pos, strict=True) if p < 0})
        raise SchemaError(
            f"the {layer} has (category, zone) values without a mining rule: {pairs}. Known "
            f"categories: {sorted(set(rules['category']))}. Normalise the values (国家公园, "
            "自然保护区, 自然公园, 风景名胜区, 饮用水水源保护区; zones 核心保护区, 一般控制区, "
            "一级保护区, 二级保护区, 准保护区) or add rows to the rules table "
            f"{rules.attrs.get('source', '')}."
        )
    out = keyed.reset_index().iloc[pos].reset_index(drop=True)
    return out[["prohibited", "priority", "reason_zh", "reason_en", "status"]]


def load_outside_allowed(allowed: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Load the table of construction land allowed outside the urban development boundary.

    Parameters
    ----------
    allowed : path or DataFrame, optional
        Another table with the columns of ``landuse/rules/outside_boundary_allowed.csv``.

    Returns
    -------
    DataFrame
        ``code`` and ``czcsxm`` normalised (upper-case; ``*`` = any), ``allowed`` as bool.

    Examples
    --------
    >>> t = load_outside_allowed()
    >>> bool(t.loc[t["code"] == "0602", "allowed"].iloc[0])
    True
    """
    df = _load(allowed, OUTSIDE_RULES_FILE, OUTSIDE_RULE_COLUMNS)
    bad = sorted(set(df["allowed"]) - {"0", "1"})
    if bad:
        raise ConfigError(
            f"rules table {df.attrs['source']}: column allowed must be 0 or 1, found {bad}"
        )
    out = df.copy()
    out["allowed"] = df["allowed"] == "1"
    out["code"] = normalise_codes(df["code"])
    out["czcsxm"] = normalise_codes(df["czcsxm"])
    dup = out.duplicated(["code", "czcsxm"])
    if dup.any():
        raise ConfigError(
            f"rules table {df.attrs['source']}: duplicate (code, czcsxm) rows "
            f"{out.loc[dup, ['code', 'czcsxm']].values.tolist()}"
        )
    if not ((out["code"] == "*") & (out["czcsxm"] == "*")).any():
        raise ConfigError(
            f"rules table {df.attrs['source']} needs a default row code='*', czcsxm='*' "
            "(what applies to construction land no other row matches)."
        )
    return out


def match_outside_allowed(
    codes: pd.Series, czcsxm: pd.Series, allowed: pd.DataFrame
) -> pd.DataFrame:
    """Give each patch its row of the allowed-outside table (most specific first).

    Returns ``allowed``, ``construction_type``, ``type_zh``, ``reason_zh``, ``reason_en``,
    ``status``, one row per patch, in the order of ``codes``.
    """
    keyed = allowed.reset_index(drop=True)
    lookup = {(c, z): i for i, (c, z) in enumerate(zip(keyed["code"], keyed["czcsxm"],
                                                         strict=True))}
    code = normalise_codes(codes).to_numpy()
    cz = normalise_codes(czcsxm).to_numpy()
    pos = np.empty(len(code), dtype=int)
    for i, (c, z) in enumerate(zip(code, cz, strict=True)):
        for key in ((c, z), (c, "*"), ("*", z), ("*", "*")):
            if key in lookup:
                pos[i] = lookup[key]
                break
    cols = ["allowed", "construction_type", "type_zh", "reason_zh", "reason_en", "status"]
    return keyed.iloc[pos][cols].reset_index(drop=True)
