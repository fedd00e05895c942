"""Controlled vocabularies of the readers (docs/contract.md §2.1), and the yes/no words.

Protected-area and mining-right values are matched after removing spaces and an
administrative level prefix (国家级, 省级, 市级, 县级, 地方级). The tables below are the
contract's vocabulary plus the synonyms counties write; extend them here, never in the
reader code. The yes/no words (:data:`YES`, :data:`NO`) are those of every yes/no column
of the inputs (the ledger's ``government_delay``, the land-cover classes'
``construction``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = [
    "CATEGORIES",
    "NATURE_PARK_SUBTYPES",
    "NO",
    "RIGHT_TYPES",
    "STAGES",
    "YES",
    "ZONES",
    "normalise_category",
    "normalise_vocab",
    "yes_no",
]

#: How counties write yes and no in a table cell (compared stripped and lower-cased); an
#: empty cell is no.
YES = frozenset({"1", "true", "yes", "y", "t", "是"})
NO = frozenset({"0", "false", "no", "n", "f", "否", ""})


def yes_no(value: object) -> bool | None:
    """Return True for a word of :data:`YES`, False for one of :data:`NO` (or None), else None.

    >>> yes_no(" 是"), yes_no("N"), yes_no(None), yes_no("maybe")
    (True, False, False, None)
    """
    text = "" if value is None else str(value).strip().lower()
    return True if text in YES else False if text in NO else None


#: The five protected-area categories of docs/contract.md §2.1.
CATEGORIES = ("国家公园", "自然保护区", "自然公园", "风景名胜区", "饮用水水源保护区")

#: 自然公园 subtypes (category 自然公园, subtype kept).
NATURE_PARK_SUBTYPES = (
    "森林公园", "地质公园", "湿地公园", "海洋公园", "沙漠公园", "石漠公园", "草原公园", "冰川公园",
)

_CATEGORY_SYNONYMS = {
    "国家公园": "国家公园", "NATIONAL_PARK": "国家公园",
    "自然保护区": "自然保护区", "保护区": "自然保护区", "NATURE_RESERVE": "自然保护区",
    "自然公园": "自然公园", "NATURAL_PARK": "自然公园", "NATURE_PARK": "自然公园",
    "风景名胜区": "风景名胜区", "风景区": "风景名胜区", "SCENIC_AREA": "风景名胜区",
    "饮用水水源保护区": "饮用水水源保护区", "饮用水源保护区": "饮用水水源保护区",
    "水源保护区": "饮用水水源保护区", "水源地保护区": "饮用水水源保护区",
    "饮用水水源地": "饮用水水源保护区", "DRINKING_WATER": "饮用水水源保护区",
}

#: Zone names (docs/contract.md §2.1) and their synonyms. The three-zone system of older reserves
#: maps to the two-zone system as in the 2019 integration rule: 核心区 and 缓冲区 become
#: 核心保护区, 实验区 becomes 一般控制区.
ZONES = {
    "核心保护区": "核心保护区", "核心区": "核心保护区", "缓冲区": "核心保护区",
    "一般控制区": "一般控制区", "实验区": "一般控制区", "一般区": "一般控制区",
    "一级保护区": "一级保护区", "一级": "一级保护区", "一级区": "一级保护区",
    "二级保护区": "二级保护区", "二级": "二级保护区", "二级区": "二级保护区",
    "准保护区": "准保护区", "准保护": "准保护区",
    "CORE": "核心保护区", "GENERAL": "一般控制区", "LEVEL1": "一级保护区",
    "LEVEL2": "二级保护区", "QUASI": "准保护区",
    "": "",
}

RIGHT_TYPES = {
    "采矿权": "采矿权", "采矿许可证": "采矿权", "采矿": "采矿权", "MINING": "采矿权",
    "探矿权": "探矿权", "勘查许可证": "探矿权", "探矿许可证": "探矿权", "探矿": "探矿权",
    "EXPLORATION": "探矿权",
}

#: ``stage`` values: ``existing`` (已设 / 现有 / 已有 / 存量) or ``application``
#: (申请 / 新立 / 拟设 / 新设 / 新申请).
STAGES = {
    "EXISTING": "existing", "已设": "existing", "现有": "existing", "已有": "existing",
    "存量": "existing",
    "APPLICATION": "application", "申请": "application", "新立": "application",
    "拟设": "application", "新设": "application", "新申请": "application",
}

_LEVEL = re.compile(r"^(国家级|省级|市级|县级|地方级|国家)(?=.)")


def _clean(values: pd.Series) -> pd.Series:
    s = values.astype(object).where(values.notna(), "")
    return s.map(lambda v: re.sub(r"\s+", "", str(v))).astype(object)


def normalise_vocab(values: pd.Series, table: dict[str, str]) -> tuple[pd.Series, list[str]]:
    """Map values through ``table`` (spaces removed, case-insensitive for Latin letters).

    Returns
    -------
    (Series, list of str)
        The mapped values (unmapped ones left as found) and the sorted unknown values.
    """
    cleaned = _clean(values)
    upper = {k.upper(): v for k, v in table.items()}
    mapped = cleaned.map(lambda v: upper.get(v.upper(), upper.get(_LEVEL.sub("", v).upper())))
    unknown = sorted(set(cleaned[mapped.isna()].tolist()))
    return mapped.where(mapped.notna(), cleaned).astype(object), unknown


def normalise_category(values: pd.Series) -> tuple[pd.Series, pd.Series, list[str]]:
    """Normalise protected-area categories to :data:`CATEGORIES`, keeping 自然公园 subtypes.

    ``国家级森林公园`` -> (``自然公园``, ``森林公园``); ``省级自然保护区`` -> (``自然保护区``, '').

    Returns
    -------
    (Series, Series, list of str)
        Category, subtype ('' unless a 自然公园 subtype) and the sorted unknown values.
    """
    cleaned = _clean(values)
    stripped = cleaned.map(lambda v: _LEVEL.sub("", v))
    is_sub = stripped.isin(NATURE_PARK_SUBTYPES).to_numpy()
    cat, unknown = normalise_vocab(stripped, _CATEGORY_SYNONYMS)
    cat = cat.where(~is_sub, "自然公园")
    subtype = pd.Series(np.where(is_sub, stripped, ""), index=values.index, dtype=object)
    unknown = sorted(set(unknown) - set(NATURE_PARK_SUBTYPES) - {""})
    empty = (cleaned == "").to_numpy()
    if empty.any():
        unknown = ["<empty>", *unknown]
    return cat.astype(object), subtype, unknown
