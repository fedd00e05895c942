"""Land-class code tables and aggregate rule sets, shipped as package data.

The tables are CSV/TOML files beside this module (never Python literals), so a county
can read, diff and replace them:

- ``sandiao_codes.csv``: every 三调 code (docs/domain.md §2.1) with its name, second- and
  first-level code, its first level in the 三调 公报 layout (``bulletin_level1``: ``00`` 湿地
  for the seven wetland classes), 三大类 (``sandalei``), wetland and farmland flags.
- ``sandiao-default@1.toml``: the default aggregate rules of docs/domain.md §2.2.
- ``tugui-basis@1.toml``: the aggregates on the 土地利用总体规划 basis (TD/T 1024,
  docs/domain.md §7): 1103 水库水面 construction land, 203A 独立工矿 under 城镇工矿.
- ``ydyh_codes.csv`` and ``crosswalk_sandiao_ydyh.csv``: the 用地用海 (2023) codes and the
  三调 -> 用地用海 crosswalk of docs/domain.md §2.3 (rows marked ``verify`` were not confirmed
  against the standard's text).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landuse.errors import ConfigError, SchemaError

__all__ = [
    "DEFAULT_RULES",
    "GRADES",
    "NORMALISED_CODES",
    "Aggregate",
    "RuleSet",
    "code_table",
    "codes_are_normalised",
    "crosswalk_table",
    "farmland_codes",
    "is_grade",
    "load_rules",
    "mark_normalised",
    "normalise_codes",
    "normalised_codes",
    "read_rule_file",
    "unknown_codes",
    "ydyh_table",
]

DEFAULT_RULES = "sandiao-default@1"
#: ``attrs`` key of a frame whose land-class code columns a reader normalised: the names
NORMALISED_CODES = "normalised_codes"
SANDALEI = ("农用地", "建设用地", "未利用地")


def read_rule_file(path: str | Path | dict[str, Any] | None, default: str
                   ) -> tuple[dict[str, Any], str]:
    """Return a TOML rule file's data and a label saying where it came from.

    ``path`` is a dict (used as given), ``None`` (the packaged ``landuse/rules/<default>``)
    or a file path; the label names it in the rule file's error messages.
    """
    if isinstance(path, dict):
        return path, "the rules given"
    if path is None:
        text = resources.files("landuse.rules").joinpath(default).read_text(encoding="utf-8")
        return tomllib.loads(text), f"landuse/rules/{default}"
    return tomllib.loads(Path(path).read_text(encoding="utf-8")), str(path)


def _read_csv(name: str) -> pd.DataFrame:
    with resources.files(__name__).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _code_table() -> pd.DataFrame:
    df = _read_csv("sandiao_codes.csv")
    df["wetland"] = df["wetland"] == "1"
    df["farmland"] = df["farmland"] == "1"
    return df.set_index("code")


def code_table() -> pd.DataFrame:
    """Return the 三调 code table, indexed by normalised code (a copy; safe to modify).

    Examples
    --------
    >>> t = code_table()
    >>> t.loc["0603", "name_zh"], t.loc["0603", "sandalei"], bool(t.loc["0603", "wetland"])
    ('盐田', '建设用地', False)
    >>> t.loc["0304", "level1"], t.loc["0304", "bulletin_level1_name_zh"]
    ('03', '湿地')
    >>> t.loc["0404", "sandalei"]
    '未利用地'
    """
    return _code_table().copy()


def ydyh_table() -> pd.DataFrame:
    """Return the 用地用海 (2023) code table, indexed by code."""
    df = _read_csv("ydyh_codes.csv")
    df["construction"] = df["construction"] == "1"
    return df.set_index("code")


def crosswalk_table() -> pd.DataFrame:
    """Return the 三调 -> 用地用海 crosswalk (``sandiao_code``, ``ydyh_code``, ``status``)."""
    return _read_csv("crosswalk_sandiao_ydyh.csv")


def normalise_codes(codes: pd.Series) -> pd.Series:
    """Normalise land-class codes: strip spaces, upper-case letters (``0201k`` -> ``0201K``).

    Missing values become the empty string. Codes are otherwise kept exactly as found
    (no padding or truncation), so an unknown code is reported as the user wrote it.

    Examples
    --------
    >>> normalise_codes(pd.Series([" 0201k", "05h1", None])).tolist()
    ['0201K', '05H1', '']
    """
    # each distinct code is normalised once (a county has a few dozen, over 10^5 patches)
    index, distinct = pd.factorize(codes, use_na_sentinel=True)  # missing -> -1
    fixed = np.array([str(v).strip().upper() for v in distinct] + [""], dtype=object)
    return pd.Series(fixed[index], index=codes.index, name=codes.name, dtype=object)


def mark_normalised(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Record in ``frame.attrs`` that ``columns`` hold normalised codes (readers call it).

    The record documents what the reader did; it is not trusted: :func:`normalised_codes`
    checks the values themselves, so a column edited after reading is still normalised
    when it needs to be. Returns ``frame``.
    """
    frame.attrs[NORMALISED_CODES] = [c for c in columns if c in frame.columns]
    return frame


#: The 耕地质量等别 scale (GB/T 28407): 1 (best) to 15. The DLTB's GDDB, the 补充耕地
#: ledger's grade and the grade indicators use :func:`is_grade`.
GRADES = (1, 15)


def is_grade(values: np.ndarray) -> np.ndarray:
    """Whether each value is a 耕地质量等别: a number from 1 to 15 (NaN is not).

    >>> is_grade(np.array([0.0, 1.0, 7.5, 15.0, 16.0, np.nan])).tolist()
    [False, True, True, True, False, False]
    """
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return (v >= GRADES[0]) & (v <= GRADES[1])


def farmland_codes() -> tuple[str, ...]:
    """耕地 (farmland) of the 三调 code table: the codes it marks farmland (class 01).

    The survey tables count these (their definition is the standard's, not a rule set's);
    the packaged rule sets define their ``farmland`` aggregate with the same codes
    (a test keeps them equal).

    Examples
    --------
    >>> farmland_codes()
    ('0101', '0102', '0103')
    """
    table = _code_table()
    return tuple(str(c) for c in table.index[table["farmland"].to_numpy(dtype=bool)])


def codes_are_normalised(codes: pd.Series) -> bool:
    """Tell whether every value of ``codes`` is already a normalised code.

    Normalised (see :func:`normalise_codes`): a string, no missing value, no surrounding
    space, upper case. Checked once per distinct value (a county has a few dozen over 10^5
    patches), so it costs a hash of the column.

    Examples
    --------
    >>> codes_are_normalised(pd.Series(["0201K", "1202"])), codes_are_normalised(
    ...     pd.Series(["0201k"])), codes_are_normalised(pd.Series(["0101", None]))
    (True, False, False)
    """
    index, distinct = pd.factorize(codes, use_na_sentinel=True)
    return not (index < 0).any() and all(
        isinstance(v, str) and v == v.strip().upper() for v in distinct)


def normalised_codes(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return the land-class codes of ``frame[column]``, normalised.

    A column whose codes are already normalised (as a reader leaves them, see
    :func:`codes_are_normalised`) is returned as it is; any other is normalised with
    :func:`normalise_codes`. An absent column gives ``""``.

    Examples
    --------
    >>> raw = pd.DataFrame({"DLBM": [" 0201k"]})
    >>> normalised_codes(raw, "DLBM").tolist(), normalised_codes(raw, "CZCSXM").tolist()
    (['0201K'], [''])
    """
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object, name=column)
    codes = frame[column]
    return codes if codes_are_normalised(codes) else normalise_codes(codes)


def unknown_codes(codes: pd.Series, areas: pd.Series | None = None) -> pd.DataFrame:
    """List codes that are not in the 三调 code table, with their count and area.

    Parameters
    ----------
    codes : Series
        Normalised codes (see :func:`normalise_codes`); empty strings are ignored.
    areas : Series, optional
        Area per row (m²), summed per unknown code.

    Returns
    -------
    DataFrame
        Columns ``code``, ``count``, ``area_m2``; empty when every code is known.
    """
    known = _code_table().index
    mask = (codes != "") & ~codes.isin(known)
    area = areas if areas is not None else pd.Series(np.nan, index=codes.index)
    sub = pd.DataFrame({"code": codes[mask], "area_m2": area[mask]})
    out = sub.groupby("code", sort=True).agg(
        count=("code", "size"), area_m2=("area_m2", "sum")
    )
    return out.reset_index()


@dataclass(frozen=True)
class Aggregate:
    """One aggregate of a rule set: a named set of conditions on code and CZCSXM.

    A row belongs when every condition that is given holds: its code's 三大类 is in
    ``sandalei``, its code is in ``codes``, its CZCSXM is in ``czcsxm`` (``""`` = empty).
    """

    name: str
    name_zh: str
    sandalei: tuple[str, ...] | None = None
    codes: tuple[str, ...] | None = None
    czcsxm: tuple[str, ...] | None = None

    def mask(self, codes: pd.Series, czcsxm: pd.Series | None = None, *,
             sandalei_of: pd.Series | None = None) -> np.ndarray:
        """Boolean membership of rows given their normalised codes and CZCSXM values.

        ``sandalei_of`` maps a code to its 三大类 (default: the 三调 code table; a rule
        set with a ``[sandalei]`` table passes its own, see :attr:`RuleSet.sandalei_of`).
        """
        m = np.ones(len(codes), dtype=bool)
        if self.sandalei is not None or self.codes is not None:
            m &= _per_value(codes, self._code_member(sandalei_of))
        if self.czcsxm is not None:
            if czcsxm is None:
                raise SchemaError(
                    f"the aggregate {self.name!r} ({self.name_zh}) needs the field CZCSXM "
                    "(城镇村属性码); the land-use layer has none. Map it with fields = "
                    "{ CZCSXM = '...' } or use a rule set without CZCSXM conditions."
                )
            allowed = self.czcsxm
            m &= _per_value(czcsxm, lambda v: v.fillna("").astype(str).str.strip()
                            .str.upper().isin(allowed).to_numpy())
        return m

    def _code_member(self, sandalei_of: pd.Series | None) -> Callable[[pd.Series], np.ndarray]:
        def member(codes: pd.Series) -> np.ndarray:
            m = np.ones(len(codes), dtype=bool)
            if self.sandalei is not None:
                table = sandalei_of if sandalei_of is not None else _code_table()["sandalei"]
                m &= codes.map(table).fillna("").isin(self.sandalei).to_numpy()
            if self.codes is not None:
                m &= codes.isin(self.codes).to_numpy()
            return m
        return member


def _per_value(values: pd.Series, member: Callable[[pd.Series], np.ndarray]) -> np.ndarray:
    """``member`` of every row, evaluated once per distinct value (a layer has few)."""
    inverse, uniq = pd.factorize(values, use_na_sentinel=False)  # native on string dtypes
    return np.asarray(member(pd.Series(np.asarray(uniq, dtype=object), dtype=object)),
                      dtype=bool)[inverse]


@dataclass(frozen=True)
class RuleSet:
    """A named, versioned set of aggregate rules (docs/domain.md §2.2).

    ``label`` (``"<id>@<version>"``) is recorded in every output that used it.
    """

    id: str
    version: int
    scheme: str
    description: str
    aggregates: dict[str, Aggregate] = field(default_factory=dict)
    source: str = ""
    basis: str = ""
    sandalei_override: tuple[tuple[str, str], ...] = ()

    @property
    def sandalei_of(self) -> pd.Series:
        """Code -> 三大类 under this rule set: the 三调 code table with the overrides.

        ``tugui-basis@1`` moves 1103 水库水面 to 建设用地 (TD/T 1024 basis); the default
        rule set overrides nothing.
        """
        table = _code_table()["sandalei"]
        if not self.sandalei_override:
            return table
        return table.copy().where(~table.index.isin([c for c, _ in self.sandalei_override]),
                                  table.index.map(dict(self.sandalei_override)))

    def record(self) -> dict[str, Any]:
        """Return what every output records of the rule set: label, basis, description."""
        return {"label": self.label, "basis": self.basis, "description": self.description,
                "source": self.source,
                "sandalei_override": {c: g for c, g in self.sandalei_override}}

    @property
    def label(self) -> str:
        """The rule set's label, e.g. ``sandiao-default@1``."""
        return f"{self.id}@{self.version}"

    def aggregate(self, name: str) -> Aggregate:
        """Return the aggregate ``name`` or raise a :class:`SchemaError` listing the others."""
        try:
            return self.aggregates[name]
        except KeyError:
            raise SchemaError(
                f"the rule set {self.label} ({self.source}) has no aggregate {name!r}; it "
                f"defines {sorted(self.aggregates)}. Add it to the rules file."
            ) from None

    def mask(self, name: str, codes: pd.Series, czcsxm: pd.Series | None = None) -> np.ndarray:
        """Membership of rows in aggregate ``name`` (see :meth:`Aggregate.mask`)."""
        sd = self.sandalei_of if self.sandalei_override else None
        return self.aggregate(name).mask(codes, czcsxm, sandalei_of=sd)


def _parse_rules(data: dict[str, Any], source: str) -> RuleSet:
    problems: list[str] = []
    allowed_top = {"id", "version", "scheme", "description", "basis", "aggregates", "sandalei"}
    for key in sorted(set(data) - allowed_top):
        problems.append(f"unknown key {key!r} (allowed: {sorted(allowed_top)})")
    for key in ("id", "version", "aggregates"):
        if key not in data:
            problems.append(f"missing key {key!r}")
    aggs: dict[str, Aggregate] = {}
    known = set(_code_table().index)
    for name, spec in dict(data.get("aggregates", {})).items():
        if not isinstance(spec, dict):
            problems.append(f"aggregates.{name} must be a table")
            continue
        extra = set(spec) - {"name_zh", "sandalei", "codes", "czcsxm"}
        if extra:
            problems.append(f"aggregates.{name}: unknown keys {sorted(extra)}")
        sd = spec.get("sandalei")
        if sd is not None and not set(sd) <= set(SANDALEI):
            problems.append(f"aggregates.{name}.sandalei: {sorted(set(sd) - set(SANDALEI))} "
                            f"are not 三大类 names {list(SANDALEI)}")
        codes = spec.get("codes")
        if codes is not None:
            codes = [str(c).strip().upper() for c in codes]
            bad = sorted(set(codes) - known)
            if bad:
                problems.append(f"aggregates.{name}.codes: unknown 三调 codes {bad}")
        cz = spec.get("czcsxm")
        aggs[name] = Aggregate(
            name=name,
            name_zh=str(spec.get("name_zh", name)),
            sandalei=tuple(sd) if sd is not None else None,
            codes=tuple(codes) if codes is not None else None,
            czcsxm=tuple(str(c).strip().upper() for c in cz) if cz is not None else None,
        )
    override = {str(c).strip().upper(): str(g) for c, g in dict(data.get("sandalei", {})).items()}
    bad = sorted(set(override) - known)
    if bad:
        problems.append(f"sandalei: unknown 三调 codes {bad}")
    bad = sorted(set(override.values()) - set(SANDALEI))
    if bad:
        problems.append(f"sandalei: {bad} are not 三大类 names {list(SANDALEI)}")
    if problems:
        raise ConfigError(f"invalid rules file {source}:\n  - " + "\n  - ".join(problems))
    return RuleSet(
        id=str(data["id"]),
        version=int(data["version"]),
        scheme=str(data.get("scheme", "sandiao")),
        description=str(data.get("description", "")),
        aggregates=aggs,
        source=source,
        basis=str(data.get("basis", "")),
        sandalei_override=tuple(sorted(override.items())),
    )


def load_rules(rules: str | Path | RuleSet | None = None) -> RuleSet:
    """Load a rule set by label (``"sandiao-default@1"``), from a TOML file, or pass one through.

    Examples
    --------
    >>> load_rules().label
    'sandiao-default@1'
    >>> sorted(load_rules().aggregates)[:3]
    ['agricultural_land', 'construction_land', 'farmland']
    """
    if isinstance(rules, RuleSet):
        return rules
    if rules is None:
        rules = DEFAULT_RULES
    name = str(rules)
    packaged = resources.files(__name__).joinpath(f"{name}.toml")
    if "/" not in name and "\\" not in name and packaged.is_file():
        with packaged.open("rb") as fh:
            return _parse_rules(tomllib.load(fh), f"landuse/rules/{name}.toml")
    path = Path(rules)
    if not path.is_file():
        raise ConfigError(
            f"rules file {path} not found; give the path of a TOML rules file or the "
            f"packaged rule set {DEFAULT_RULES!r}"
        )
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"rules file {path} is not valid TOML: {exc}") from None
    return _parse_rules(data, str(path))
