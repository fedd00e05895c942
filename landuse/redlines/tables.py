"""The redline rule tables: the legal status of every finding (docs/domain.md §7).

Every table is package data in ``landuse/rules/`` (CSV, UTF-8), so a county can read, diff
and replace it; each row has an id (``rule``), the document it follows (``basis``) and a
``verify`` flag for rules not confirmed against the standard's own text.

``mining_prohibited.csv``
    ``rule, category, zone, prohibited, priority, reason_zh, reason_en, basis, verify``. A
    protected feature matches the row with its exact ``(category, zone)`` first, then
    ``(category, "*")``; an empty ``zone`` cell matches only features without a zone.
    ``priority`` orders the withdrawal of existing rights (1 withdraws first).
``mining_exceptions_142.csv``
    ``rule, category, zone, stage, mineral, right_type, disposition, reason_zh, reason_en,
    basis, verify``: the activities 自然资发〔2022〕142号 permits inside the ecological redline
    outside core zones. A cell may list alternatives separated by ``|``; ``*`` matches any
    value. The first row (in file order) that matches a conflict decides its disposition.
``control_line_rules.csv``
    ``rule, check, code, czcsxm, sandalei, status, category, construction_type, reason_zh,
    reason_en, basis, verify``: the status (``violation`` / ``allowed`` / ``review``) of each
    control-line finding. ``code`` is an exact code, a pattern with ``*`` (``*K``: any code
    ending in K) or ``*``; ``czcsxm`` an exact 城镇村属性码, ``""`` (empty) or ``*``;
    ``sandalei`` a 三大类 or ``*``. The most specific matching row wins (:func:`match_status`):
    an exact code beats a pattern, a pattern beats ``*``; then an exact ``czcsxm`` beats
    ``*``; then a named ``sandalei`` beats ``*``. Two rows that tie are an error.
"""

from __future__ import annotations

import fnmatch
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from landuse.errors import ConfigError, SchemaError
from landuse.rules import code_table, normalise_codes

__all__ = [
    "EXCEPTION_COLUMNS",
    "MINING_RULE_COLUMNS",
    "STATUSES",
    "STATUS_RULE_COLUMNS",
    "load_mining_exceptions",
    "load_mining_rules",
    "load_status_rules",
    "match_mining_exception",
    "match_mining_rules",
    "match_status",
]

MINING_RULE_COLUMNS = (
    "rule", "category", "zone", "prohibited", "priority", "reason_zh", "reason_en", "basis",
    "verify",
)
EXCEPTION_COLUMNS = (
    "rule", "category", "zone", "stage", "mineral", "right_type", "disposition", "reason_zh",
    "reason_en", "basis", "verify",
)
STATUS_RULE_COLUMNS = (
    "rule", "check", "code", "czcsxm", "sandalei", "status", "category", "construction_type",
    "reason_zh", "reason_en", "basis", "verify",
)
STATUSES = ("violation", "allowed", "review")
MINING_RULES_FILE = "mining_prohibited.csv"
EXCEPTIONS_FILE = "mining_exceptions_142.csv"
STATUS_RULES_FILE = "control_line_rules.csv"


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
    # an older table may lack the row ids and the verify flag (then called ``status``):
    # ids are the CSV line numbers, so every finding still names the row that decided it
    if "rule" in columns and "rule" not in df.columns:
        df.insert(0, "rule", [f"line {i + 2}" for i in range(len(df))])
    if "verify" in columns and "verify" not in df.columns:
        df["verify"] = df["status"] if "status" in df.columns else ""
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
    return out[["rule", "prohibited", "priority", "reason_zh", "reason_en", "basis",
                "verify"]]


def load_mining_exceptions(table: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Load the 142号 exceptions table (``landuse/rules/mining_exceptions_142.csv``).

    Returns
    -------
    DataFrame
        The table; ``attrs["source"]`` names where it came from.

    Examples
    --------
    >>> t = load_mining_exceptions()
    >>> t.loc[t["rule"] == "MX-01", "disposition"].item()
    'review'
    """
    df = _load(table, EXCEPTIONS_FILE, EXCEPTION_COLUMNS)
    bad = sorted(set(df["disposition"]) - {"review", "withdraw", "refuse", "none"})
    if bad:
        raise ConfigError(f"rules table {df.attrs['source']}: column disposition must be "
                          f"review, withdraw, refuse or none; found {bad}")
    stages = {s for cell in df["stage"] for s in cell.split("|")} - {"*", "existing",
                                                                      "application"}
    if stages:
        raise ConfigError(f"rules table {df.attrs['source']}: column stage must be existing, "
                          f"application or *; found {sorted(stages)}")
    return df


def _cell_matches(cell: str, value: str) -> bool:
    return cell == "*" or value in cell.split("|")


def match_mining_exception(
    exceptions: pd.DataFrame, *, category: str, zone: str, stage: str, mineral: str,
    right_type: str,
) -> pd.Series | None:
    """Return the first exception row matching one conflict, or None.

    Every key must match: ``*`` matches anything, ``a|b`` matches ``a`` or ``b``; values
    are compared after stripping spaces.
    """
    key = {"category": category, "zone": zone, "stage": stage, "mineral": mineral,
           "right_type": right_type}
    key = {k: str(v).strip() for k, v in key.items()}
    for _, row in exceptions.iterrows():
        if all(_cell_matches(row[k], v) for k, v in key.items()):
            return row
    return None


def load_status_rules(table: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Load the status table of the control-line checks (``control_line_rules.csv``).

    Parameters
    ----------
    table : path or DataFrame, optional
        Another table with the same columns; default the packaged one.

    Returns
    -------
    DataFrame
        ``code`` and ``czcsxm`` normalised (upper-case; ``*`` = any, ``""`` = empty).

    Raises
    ------
    ConfigError
        Missing columns, a status other than violation / allowed / review, a duplicate key,
        an unknown 三大类, a check without a default row (``*``, ``*``, ``*``).

    Examples
    --------
    >>> t = load_status_rules()
    >>> t.loc[t["rule"] == "OUT-05", ["czcsxm", "status"]].values.tolist()
    [['203', 'allowed']]
    """
    df = _load(table, STATUS_RULES_FILE, STATUS_RULE_COLUMNS)
    src = df.attrs["source"]
    problems = []
    bad = sorted(set(df["status"]) - set(STATUSES))
    if bad:
        problems.append(f"column status must be one of {list(STATUSES)}, found {bad}")
    bad = sorted(set(df["sandalei"]) - {"*", "农用地", "建设用地", "未利用地"})
    if bad:
        problems.append(f"column sandalei must be a 三大类 (农用地, 建设用地, 未利用地) or *, "
                        f"found {bad}")
    out = df.copy()
    out["code"] = normalise_codes(df["code"])
    out["czcsxm"] = normalise_codes(df["czcsxm"])
    key = ["check", "code", "czcsxm", "sandalei"]
    dup = out.duplicated(key)
    if dup.any():
        problems.append(f"duplicate (check, code, czcsxm, sandalei) rows "
                        f"{out.loc[dup, key].values.tolist()}")
    dup = out.duplicated("rule")
    if dup.any():
        problems.append(f"duplicate rule ids {out.loc[dup, 'rule'].tolist()}")
    default = (out["code"] == "*") & (out["czcsxm"] == "*") & (out["sandalei"] == "*")
    lacking = sorted(set(out["check"]) - set(out.loc[default, "check"]))
    if lacking:
        problems.append(f"checks without a default row (code *, czcsxm *, sandalei *): "
                        f"{lacking}")
    if problems:
        raise ConfigError(f"rules table {src}:\n  - " + "\n  - ".join(problems))
    out.attrs["source"] = src
    return out


def _specificity(code: str, czcsxm: str, sandalei: str) -> tuple[int, int, int]:
    code_rank = 0 if code == "*" else (1 if "*" in code or "?" in code else 2)
    return code_rank, int(czcsxm != "*"), int(sandalei != "*")


def match_status(
    check: str, codes: pd.Series, czcsxm: pd.Series, rules: pd.DataFrame, *,
    normalised: bool = False,
) -> pd.DataFrame:
    """Give each patch of one check its status row: the most specific matching row.

    ``codes`` and ``czcsxm`` are normalised first (:func:`landuse.rules.normalise_codes`)
    unless ``normalised=True`` says they already are (the reader's columns, taken with
    :func:`landuse.rules.normalised_codes`).

    Specificity (highest wins): exact ``code`` > pattern > ``*``; then exact ``czcsxm``
    (``""`` = empty) > ``*``; then a named ``sandalei`` (of the code in the 三调 code
    table) > ``*``. The packaged table has a default row per check, so every patch gets a
    row.

    Returns
    -------
    DataFrame
        ``rule``, ``status``, ``category``, ``construction_type``, ``reason_zh``,
        ``reason_en``, ``basis``, ``verify``; one row per patch, in the order of ``codes``.

    Raises
    ------
    SchemaError
        No row matches (a replaced table without a default row), or two rows tie.
    """
    table = rules[rules["check"] == check].reset_index(drop=True)
    if not normalised:
        codes, czcsxm = normalise_codes(codes), normalise_codes(czcsxm)
    code = codes.to_numpy(dtype=object)
    cz = czcsxm.to_numpy(dtype=object)
    sandalei = code_table()["sandalei"]
    keys = pd.DataFrame({"code": code, "cz": cz})
    uniq = keys.drop_duplicates().to_numpy()
    rows = list(zip(table["code"], table["czcsxm"], table["sandalei"], strict=True))
    spec = [_specificity(*r) for r in rows]
    chosen: dict[tuple[str, str], int] = {}
    for c, z in uniq:
        sd = sandalei.get(c, "")
        hits = [i for i, (rc, rz, rs) in enumerate(rows)
                if fnmatch.fnmatchcase(c, rc) and rz in ("*", z) and rs in ("*", sd)]
        if not hits:
            raise SchemaError(f"rules table {rules.attrs.get('source', '')}: no {check} row "
                              f"matches code {c!r} with CZCSXM {z!r}; add a default row "
                              "(code *, czcsxm *, sandalei *)")
        best = max(spec[i] for i in hits)
        top = [i for i in hits if spec[i] == best]
        if len(top) > 1:
            raise SchemaError(
                f"rules table {rules.attrs.get('source', '')}: rows "
                f"{[table['rule'][i] for i in top]} match code {c!r} with CZCSXM {z!r} equally "
                "specifically; make one of them more specific or remove one")
        chosen[(c, z)] = top[0]
    pos = np.array([chosen[(c, z)] for c, z in zip(code, cz, strict=True)], dtype=int)
    cols = ["rule", "status", "category", "construction_type", "reason_zh", "reason_en",
            "basis", "verify"]
    return table.iloc[pos][cols].reset_index(drop=True)
