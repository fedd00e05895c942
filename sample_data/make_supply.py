"""Make the synthetic land-supply sample: ``supply.csv`` and boundary-point TXT files.

Everything is synthetic and seeded (same seed, same files). The ledger has ~150 parcels in
16 approval batches (2015-2022) of the sample county 370321, evaluated at 2022-12-31, and
rows that exercise every idle-land rule on its boundary days (see README_supply.md). The TXT
files under ``txt/`` carry the geometry of part of the ledger's parcels and two mining
rights, written in every real-world variant of the ministry's boundary-point format.

Usage::

    python sample_data/make_supply.py [--townships sample_data/huantai.gpkg] [--seed 5]

With the sample county's GeoPackage (layer XZQ) the parcels are placed inside their own
township, so that locating them by geometry agrees with the ledger's ``zone``; without it
they are spread over the county's extent (EPSG:4527, E 39,585,000-39,605,000,
N 4,082,000-4,110,000).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
EVAL = date(2022, 12, 31)
TOWNS = ["370321001", "370321100", "370321101", "370321102", "370321103", "370321104",
         "370321105", "370321106", "370321107"]
BBOX = (39_585_000.0, 4_082_000.0, 39_605_000.0, 4_110_000.0)
COLUMNS = ["parcel_id", "batch_id", "approved_date", "approved_area_ha", "supplied_date",
           "supplied_area_ha", "supply_type", "land_source", "agreed_start_date",
           "actual_start_date", "developed_share", "invested_share", "suspended_since",
           "government_delay", "zone"]


@dataclass
class Parcel:
    """One ledger row; ``rings`` (east, north) when the parcel gets a TXT geometry."""

    parcel_id: str
    batch_id: str
    approved_date: date
    approved_area_ha: float
    zone: str
    supplied_date: date | None = None
    supplied_area_ha: float | None = None
    supply_type: str = ""
    land_source: str = ""
    agreed_start_date: date | None = None
    actual_start_date: date | None = None
    developed_share: float | None = None
    invested_share: float | None = None
    suspended_since: date | None = None
    government_delay: bool = False
    rings: list[list[tuple[float, float]]] = field(default_factory=list)
    use: str = "工业用地"
    dlbm: str = "0601"


def d(text: str) -> date:
    return date.fromisoformat(text)


def batches() -> list[tuple[str, date]]:
    out = []
    for year in range(2015, 2023):
        out.append((f"PC{year}-1", date(year, 3, 16)))
        out.append((f"PC{year}-2", date(year, 9, 20)))
    return out


def special_cases() -> list[Parcel]:
    """Parcels whose class follows from their dates on paper (evaluation 2022-12-31)."""
    def sup(pid, batch, approved, zone, **kw) -> Parcel:
        p = Parcel(pid, batch, d(approved), kw.pop("area", 2.0), zone,
                   supplied_date=d(kw.pop("supplied", "2020-06-01")), supply_type="出让",
                   land_source=kw.pop("source", "新增"))
        p.supplied_area_ha = p.approved_area_ha
        for k, v in kw.items():
            setattr(p, k, d(v) if isinstance(v, str) and k.endswith(("date", "since")) else v)
        return p

    t = TOWNS
    return [
        # not started, exactly 1 year after the agreed start on the evaluation date -> idle_1y
        sup("S01", "PC2020-2", "2020-09-20", t[1], supplied="2021-03-10",
            agreed_start_date="2021-12-31", source="存量"),
        # one day short of a year -> not_idle
        sup("S02", "PC2020-2", "2020-09-20", t[1], supplied="2021-03-10",
            agreed_start_date="2022-01-01"),
        # exactly 2 years -> idle_2y (taken back)
        sup("S03", "PC2019-2", "2019-09-20", t[2], supplied="2020-03-02",
            agreed_start_date="2020-12-31"),
        # agreed start on a leap day: idle_1y from 2021-02-28, idle_2y from 2022-02-28
        sup("S04", "PC2019-1", "2019-03-16", t[3], supplied="2019-08-30",
            agreed_start_date="2020-02-29", source="存量"),
        # started, developed 20 % (< 1/3), suspended since 2021-11-30 -> suspended_idle
        sup("S05", "PC2018-2", "2018-09-20", t[4], supplied="2019-01-15",
            agreed_start_date="2019-07-01", actual_start_date="2019-06-20",
            developed_share=0.2, invested_share=0.4, suspended_since="2021-11-30"),
        # suspended less than a year -> not_idle
        sup("S06", "PC2018-2", "2018-09-20", t[4], supplied="2019-01-15",
            agreed_start_date="2019-07-01", actual_start_date="2019-07-10",
            developed_share=0.1, invested_share=0.1, suspended_since="2022-06-30"),
        # developed exactly 1/3 and invested 30 %: not under the thresholds -> not_idle
        sup("S07", "PC2018-1", "2018-03-16", t[5], supplied="2018-07-01",
            agreed_start_date="2019-01-01", actual_start_date="2018-12-01",
            developed_share=1 / 3, invested_share=0.3, suspended_since="2019-12-31"),
        # invested exactly 25 %, developed 50 % -> not_idle
        sup("S08", "PC2018-1", "2018-03-16", t[5], supplied="2018-07-01",
            agreed_start_date="2019-01-01", actual_start_date="2018-12-01",
            developed_share=0.5, invested_share=0.25, suspended_since="2019-12-31"),
        # invested 24 %, suspended since a leap day 2020-02-29 -> suspended_idle_2y
        sup("S09", "PC2017-2", "2017-09-20", t[6], supplied="2018-02-01",
            agreed_start_date="2018-08-01", actual_start_date="2018-07-15",
            developed_share=0.6, invested_share=0.24, suspended_since="2020-02-29",
            source="存量"),
        # not started since 2019-05-01, delay caused by the government -> government_delay
        sup("S10", "PC2017-2", "2017-09-20", t[7], supplied="2018-11-01",
            agreed_start_date="2019-05-01", government_delay=True),
        # government flag but started on time -> not_idle
        sup("S11", "PC2017-1", "2017-03-16", t[7], supplied="2017-08-01",
            agreed_start_date="2018-03-01", actual_start_date="2018-02-20",
            developed_share=1.0, invested_share=1.0, government_delay=True),
        # started a year late, before the evaluation -> not_idle
        sup("S12", "PC2016-2", "2016-09-20", t[8], supplied="2017-01-10",
            agreed_start_date="2017-07-01", actual_start_date="2018-09-01",
            developed_share=0.8, invested_share=0.9, supply_type="划拨"),
        # approved, never supplied (批而未供) -> not_supplied
        Parcel("S13", "PC2021-1", d("2021-03-16"), 6.5, t[0]),
        Parcel("S14", "PC2022-1", d("2022-03-16"), 4.25, t[1]),
        Parcel("S15", "PC2016-1", d("2016-03-16"), 3.0, t[2]),
    ]


def random_parcels(rng: np.random.Generator, n_per_batch: int) -> list[Parcel]:
    out = []
    for batch, approved in batches():
        for k in range(n_per_batch):
            area = round(float(rng.uniform(0.3, 8.0)), 4)
            day = approved + timedelta(int(rng.integers(0, 20)))
            p = Parcel(f"{batch}-{k + 1:02d}", batch, day, area, str(rng.choice(TOWNS)))
            p_supply = 0.95 if approved.year <= 2020 else 0.7 if approved.year == 2021 else 0.45
            when = p.approved_date + timedelta(int(rng.integers(60, 600)))
            if rng.random() < p_supply and when <= EVAL:
                p.supplied_date = when
                p.supplied_area_ha = round(area * float(rng.uniform(0.9, 1.0)), 4)
                p.supply_type = "出让" if rng.random() < 0.8 else "划拨"
                p.land_source = "存量" if rng.random() < 0.4 else "新增"
                p.agreed_start_date = when + timedelta(int(rng.integers(180, 366)))
                start = p.agreed_start_date + timedelta(int(rng.integers(-60, 400)))
                if rng.random() < 0.8 and start <= EVAL:
                    p.actual_start_date = start
                    p.developed_share = round(float(rng.uniform(0.3, 1.0)), 3)
                    p.invested_share = round(float(rng.uniform(0.3, 1.0)), 3)
                    stop = start + timedelta(int(rng.integers(90, 700)))
                    if rng.random() < 0.15 and stop <= EVAL:
                        p.suspended_since = stop
                        p.developed_share = round(float(rng.uniform(0.05, 0.9)), 3)
                        p.invested_share = round(float(rng.uniform(0.05, 0.9)), 3)
                elif rng.random() < 0.1:
                    p.government_delay = True
            out.append(p)
    return out


def place(rng: np.random.Generator, p: Parcel, towns: gpd.GeoDataFrame | None, *,
          hole: bool = False, parts: int = 1) -> None:
    """Give ``p`` rectangular rings (10 cm grid) whose area is its supplied area."""
    area_m2 = p.supplied_area_ha * 1e4
    w = round(float(np.sqrt(area_m2 / parts * 1.6)), 1)
    h = round(area_m2 / parts / w, 1)
    hole_m2 = 100.0 if hole else 0.0
    h = round((area_m2 / parts + hole_m2 / parts) / w, 1) if hole else h
    region = (towns.loc[towns["zone"] == p.zone, "geometry"].iloc[0] if towns is not None
              else shapely.box(*BBOX))
    minx, miny, maxx, maxy = region.bounds
    rings = []
    for _ in range(parts):
        for _try in range(2000):
            e = round(float(rng.uniform(minx, maxx - w)), 1)
            n = round(float(rng.uniform(miny, maxy - h)), 1)
            rect = shapely.box(e, n, e + w, n + h)
            if region.contains(rect) and not any(shapely.Polygon(r).intersects(rect.buffer(20))
                                                 for r in rings):
                break
        rings.append([(e, n), (e + w, n), (e + w, n + h), (e, n + h), (e, n)])
        if hole:
            hx, hy = e + w / 2 - 5, n + h / 2 - 5
            rings.append([(hx, hy), (hx, hy + 10), (hx + 10, hy + 10), (hx + 10, hy), (hx, hy)])
    p.rings = rings
    geom = shapely.Polygon(rings[0], rings[1:2]) if hole else shapely.MultiPolygon(
        [shapely.Polygon(r) for r in rings]) if parts > 1 else shapely.Polygon(rings[0])
    p.supplied_area_ha = round(geom.area / 1e4, 4)
    p.approved_area_ha = max(p.approved_area_ha, p.supplied_area_ha)


def txt(parcels: list[Parcel], *, swap: bool = False, spaces: bool = False, zone: str = "39",
        width_line: str = "几度分带=3", unit: str = "", project: bool = False,
        prefix: bool = True, kind: str = "面", area: bool = True) -> str:
    """The text of a boundary-point TXT file in the requested variant."""
    sep = " , " if spaces else ","
    eq = " = " if spaces else "="
    head = ["[属性描述]", "格式版本号=1.01版本", "数据产生单位=桓台县自然资源局（样例）",
            "数据产生日期=2023-1-15", "坐标系=2000国家大地坐标系", width_line,
            "投影类型=高斯克吕格", "计量单位=米", f"带号={zone}", "精度=0.001", "转换参数=,,,,,,"]
    head = [h.replace("=", eq, 1) for h in head]
    if project:
        head += ["[项目信息]", f"项目名称{eq}批次供地界址（样例）",
                 f"批准文号{eq}鲁政土字〔2020〕88号"]
    out = [*head, "[地块坐标]"]
    for p in parcels:
        pts, k = [], 0
        for rno, ring in enumerate(p.rings, start=1):
            names = []
            for j, _ in enumerate(ring):
                if kind == "面" and j == len(ring) - 1:
                    names.append(names[0])
                else:
                    k += 1
                    names.append(f"J{k}")
            for nm, (e, n) in zip(names, ring, strict=True):
                east = e if prefix else e - 39_000_000
                x, y = (f"{east:.3f}", f"{n:.3f}") if swap else (f"{n:.3f}", f"{east:.3f}")
                pts.append(sep.join([nm, str(rno), x, y]))
        a = f"{p.supplied_area_ha:.4f}{unit}" if area and p.supplied_area_ha else ""
        out.append(sep.join([str(len(pts)), a, p.parcel_id, f"地块{p.parcel_id}", kind, "",
                             p.use, p.dlbm, "@"]))
        out += pts
    return "\n".join(out) + "\n"


def save(path: Path, text: str, *, encoding: str, crlf: bool, bom: bool = False) -> None:
    data = (text.replace("\n", "\r\n") if crlf else text).encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def ledger_frame(parcels: list[Parcel]) -> pd.DataFrame:
    rows = []
    for p in parcels:
        row = {c: getattr(p, c) for c in COLUMNS}
        row["government_delay"] = "true" if p.government_delay else "false"
        for c in ("developed_share", "invested_share"):
            row[c] = "" if row[c] is None else repr(row[c])
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("parcel_id", kind="stable")


#: parcel, disposal method (闲置土地处置办法 Art. 12 / 14), date, idle-land fee (万元)
DISPOSALS = [("S03", "无偿收回", "2022-09-15", ""),
             ("S04", "征缴土地闲置费", "2022-03-20", "48.0"),
             ("S05", "延长动工开发期限", "2022-06-01", "")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--townships", type=Path, default=HERE / "huantai.gpkg")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    towns = None
    if args.townships.exists():
        towns = gpd.read_file(args.townships, layer="XZQ").rename(
            columns={"XZQDM": "zone", "XZQMC": "zone_name"}).to_crs(4527)
        print(f"placing parcels inside the townships of {args.townships}")
    else:
        print(f"{args.townships} not found: parcels spread over the county extent")
    special = special_cases()
    rand = random_parcels(rng, 9)
    supplied = [p for p in rand if p.supplied_date is not None]
    # geometry: the special supplied parcels and every third random supplied parcel
    geo = [p for p in special if p.supplied_date is not None] + supplied[::3]
    for i, p in enumerate(geo):
        place(rng, p, towns, hole=(i % 7 == 3), parts=2 if (i % 11 == 5 and i % 7 != 3) else 1)
    ledger = ledger_frame(special + rand)
    # 闲置土地处置 (optional ledger columns): three of the idle special cases are disposed of
    # in 2022, the others still pending (docs/evaluation.md §5)
    for col in ("disposal_method", "disposal_date", "idle_fee_10k_yuan"):
        ledger[col] = ""
    for pid, method, when, fee in DISPOSALS:
        row = ledger["parcel_id"] == pid
        ledger.loc[row, ["disposal_method", "disposal_date", "idle_fee_10k_yuan"]] = [
            method, when, fee]
    ledger.to_csv(args.out / "supply.csv", index=False, encoding="utf-8", date_format="%Y-%m-%d")
    t = args.out / "txt"
    q = len(geo) // 4
    save(t / "supply" / "supply_gbk_crlf.txt", txt(geo[:q]), encoding="gbk", crlf=True)
    save(t / "supply" / "supply_utf8_bom_spaces.txt",
         txt(geo[q:2 * q], spaces=True, zone="", width_line="分带=3度带", unit="公顷",
             project=True), encoding="utf-8", crlf=False, bom=True)
    save(t / "supply" / "supply_swapped_wrong_zone.txt",
         txt(geo[2 * q:3 * q], swap=True, zone="40"), encoding="gbk", crlf=True)
    save(t / "supply" / "supply_utf8_lf.txt", txt(geo[3 * q:]), encoding="utf-8", crlf=False)
    mining = [Parcel("C3703212009071120001", "", EVAL, 12.0, TOWNS[6], supplied_area_ha=12.0,
                     use="采矿用地", dlbm="0602"),
              Parcel("C3703212011031120002", "", EVAL, 6.0, TOWNS[8], supplied_area_ha=6.0,
                     use="采矿用地", dlbm="0602")]
    place(rng, mining[0], towns, parts=2)
    place(rng, mining[1], towns, hole=True)
    save(t / "mining" / "mining_rights_gbk.txt", txt(mining), encoding="gbk", crlf=True)
    save(t / "mining" / "mining_right_utf8_bom_swapped.txt", txt(mining[1:], swap=True),
         encoding="utf-8", crlf=True, bom=True)
    marks = Parcel("M1", "", EVAL, 0.0, TOWNS[0], use="界桩", dlbm="")
    marks.rings = [[(39_595_000.0 + 50 * i, 4_096_000.0) for i in range(4)]]
    road = Parcel("L1", "", EVAL, 0.0, TOWNS[0], use="道路中线", dlbm="1003")
    road.rings = [[(39_595_000.0, 4_096_100.0), (39_595_300.0, 4_096_500.0)],
                  [(39_595_300.0, 4_096_500.0), (39_595_300.0, 4_097_000.0)]]
    body = (txt([marks], prefix=False, kind="点", area=False)
            + txt([road], prefix=False, kind="线", area=False).split("[地块坐标]\n", 1)[1])
    save(t / "misc" / "points_lines_no_prefix.txt", body, encoding="gbk", crlf=True)
    print(f"{len(ledger)} ledger rows, {len(geo)} parcels with TXT geometry -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
