"""Words a person reads in the report and the workbook: Chinese first, English second.

The outputs for programs (JSON, CSV, GPKG) keep the codes (``withdraw``, ``idle_1y`` …);
the report and the workbook show them through :func:`label`. One table per kind of value.
"""

from __future__ import annotations

from typing import Final

__all__ = ["LABELS", "finding_title", "label"]

LABELS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "relation": {
        "inside": ("位于内部", "inside"), "outside": ("位于外部", "outside"),
        "near": ("邻近", "near"), "none": ("无", "none"), "intersects": ("相交", "intersects"),
    },
    "disposition": {
        "withdraw": ("有序退出", "withdraw"), "refuse": ("不予新设", "refuse"),
        "none": ("无需处置", "none"), "review": ("待核查", "review"),
        "expired": ("已过期", "expired"), "allowed": ("允许", "allowed"),
        "violation": ("违规", "violation"),
    },
    "stage": {"existing": ("已设", "existing"), "application": ("申请", "application")},
    "idle": {
        "idle_1y": ("闲置满一年", "idle ≥ 1 year"), "idle_2y": ("闲置满两年", "idle ≥ 2 years"),
        "suspended_idle": ("中止开发满一年", "suspended ≥ 1 year"),
        "suspended_idle_2y": ("中止开发满两年", "suspended ≥ 2 years"),
        "government_delay": ("政府原因延迟", "government delay"),
        "not_idle": ("未闲置", "not idle"), "not_supplied": ("未供应", "not supplied"),
        "not_started": ("未动工（未满一年）", "not started (< 1 year)"),
        "suspended": ("中止开发（未满一年）", "suspended (< 1 year)"),
    },
    "severity": {"warning": ("警告", "warning"), "info": ("提示", "info"),
                 "error": ("错误", "error")},
    "check": {
        "mining_protected": ("保护区内矿业权", "mining right in a protected area"),
        "eco_redline_construction": ("生态保护红线内建设用地",
                                     "construction in the ecological redline"),
        "farmland_nonfarm": ("永久基本农田内非耕地", "non-farmland in permanent farmland"),
        "outside_urban_boundary": ("城镇开发边界外建设用地",
                                   "construction outside the urban boundary"),
        "line_conflict": ("三线冲突", "control lines overlapping"),
    },
}

_FINDINGS: Final[dict[str, str]] = {
    "tbmj_computed": "图斑面积由几何计算", "kcmj_computed": "扣除地类面积由系数计算",
    "tbdlmj_computed": "图斑地类面积由面积差计算", "tbdlmj_mismatch": "图斑地类面积不平衡",
    "tbmj_area_mismatch": "图斑面积与椭球面积不符", "duplicate_bsm": "标识码重复",
    "kcmj_without_kcdlbm": "有扣除面积但无扣除地类编码", "czcsxm_unknown": "城镇村属性码未知",
    "zldwdm_length": "坐落单位代码长度不符", "overlapping_patches": "图斑重叠",
    "geometry_repaired": "几何已修复", "invalid_geometry": "几何无效",
    "geometry_null_dropped": "空几何已删除", "slivers_dropped": "碎片已删除",
    "crs_reprojected": "已重投影", "reprojected": "已重投影", "zones_reprojected": "分区已重投影",
    "crs_override": "坐标系已指定", "datum_assumed": "基准已假定",
    "encoding": "字符编码", "encoding_detected": "字符编码已识别", "ids_generated": "已生成编号",
    "zone_code_padded": "行政区代码已截取", "township_code_mismatch": "乡镇代码不一致",
    "patch_outside_townships": "图斑位于乡镇范围外", "no_townships": "无乡镇图层",
    "unknown_codes": "未知编码", "ghfqdm_unknown": "规划分区代码未知",
    "area_computed": "面积由几何计算", "area_mismatch": "面积不符",
    "columns_ignored": "列已忽略", "socio_columns_ignored": "社会经济表列已忽略",
    "duplicate_parcel_id": "地块编号重复", "year_invalid": "年份无效",
    "point_count_mismatch": "界址点数不符", "ring_closed": "环已闭合", "swapped_xy": "坐标已交换",
    "zone_width_mismatch": "分带不符", "no_geometry": "无几何",
    "current_not_in_previous": "本期图斑不在上期范围内",
    "previous_vintage_overlaps": "上期图斑重叠", "landcover_value_unmapped": "地表覆盖值未映射",
    "zone_conflict": "分区冲突", "zone_mismatch": "分区不一致",
    "survey_table_skipped": "统计表未生成", "control_area_difference": "控制面积不符",
    "gdpdjb_missing": "耕地坡度级别缺失", "gdlx_missing": "耕地类型缺失",
    "gdpdjb_unknown": "耕地坡度级别无法识别", "gdlx_unknown": "耕地类型无法识别",
    "frdbs_unknown": "飞入地标识无法识别", "zzsxdm_unknown": "种植属性代码未知",
    "tbxhdm_unknown": "图斑细化代码未知", "warning": "警告",
}


def label(kind: str, value: object) -> str:
    """``"中文 english"`` for a code of ``kind`` (the code itself when unknown or empty).

    Examples
    --------
    >>> label("disposition", "withdraw")
    '有序退出 withdraw'
    >>> label("idle", "other")
    'other'
    """
    text = "" if value is None else str(value)
    pair = LABELS.get(kind, {}).get(text)
    return f"{pair[0]} {pair[1]}" if pair else text


def finding_title(code: str) -> str:
    """Chinese title of a data-quality finding code ('' when none is known)."""
    return _FINDINGS.get(code, "")
