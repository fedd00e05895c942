"""The report in a real browser: no horizontal overflow at A4 width (headless Chromium).

A copy of ``report.html`` gets a measuring script (the report itself has none), Chromium
loads it at the width of an A4 page (210 mm = 794 CSS px) and ``--dump-dom`` returns the
page with the measurements: ``scrollWidth`` of the page and of every table against the
page's ``clientWidth``. Skipped, with the reason, only when Chromium is absent outside CI
(``.ci/run`` installs Debian's ``chromium`` when missing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pandas as pd
import pytest

from landuse.report.html import TOWNSHIP_COLUMNS, render_html

A4_WIDTH_PX = 794  # 210 mm at 96 CSS px per inch
_MEASURE = """<script>
(function () {
  var doc = document.documentElement;
  var widest = 0, which = "";
  document.querySelectorAll("table, figure, .cards, .summary, p, code").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > widest) { widest = r.right; which = el.tagName + " " + (el.className || ""); }
  });
  document.body.setAttribute("data-measure", [doc.scrollWidth, doc.clientWidth,
    Math.ceil(widest), which].join("|"));
})();
</script></body>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is missing in CI: .ci/run installs Debian's chromium")
    pytest.skip("chromium is not installed (Debian: apt-get install chromium); .ci/run "
                "installs it, so CI runs this test")


def _document() -> dict:
    """Every township column for nine townships, long names, reasons and findings."""
    recs = []
    for t in range(9):
        for i, ident in enumerate(TOWNSHIP_COLUMNS):
            long_name = "建设用地地均地区生产总值（第二三产业）"
            recs.append({"id": ident, "name_zh": long_name if i % 3 == 0 else "城镇工矿用地",
                         "scope": "township", "zone": f"37032110{t}",
                         "zone_name": "某某某街道办事处", "value": 123456789.125 + t,
                         "unit": "万元/亩", "components": {}, "target": None,
                         "status": "not_met" if t % 2 else "met",
                         "reason": "一个很长的说明 a long reason " * 4})
    recs.append({"id": "development_intensity", "name_zh": "国土开发强度", "scope": "county",
                 "zone": "370321", "zone_name": "桓台县", "value": 25.5, "unit": "%",
                 "components": {}, "target": {"op": "<=", "value": 30, "year": 2020},
                 "status": "met", "reason": None})
    findings = [{"severity": "warning", "code": "tbmj_area_mismatch", "count": 3,
                 "source": "/a/very/long/path/" + "x" * 120 + "/huantai.gpkg layer DLTB",
                 "message": "TBMJ " + "y" * 300, "examples": []}]
    prov = {"landuse_version": "0.1.0", "created": "2026-01-01T00:00:00+00:00",
            "rules": "sandiao-default@1", "area": "official", "working_crs": "EPSG:4527",
            "options": {"working_crs": None, "area": "official"},
            "inputs": [{"role": "landuse", "path": "data/" + "long_name_" * 12 + ".gpkg",
                        "layer": "DLTB", "sha256": "0" * 64, "features": 8,
                        "crs": "EPSG:4527"}],
            "warnings": [], "findings": findings}
    return {"schema": "landuse/indicators@1", "region": {"code": "370321", "name": "桓台县"},
            "year": 2022, "provenance": prov, "indicators": recs}


def _redlines() -> pd.DataFrame:
    return pd.DataFrame([{"check": "mining_protected", "feature_id": "C" + "37032120" * 4,
                          "against_id": "ZRBHQ-001-01-" + "X" * 30, "category": "自然保护区",
                          "zone_type": "核心保护区", "relation": "inside", "overlap_m2": 1e7,
                          "share": 0.5, "stage": "existing", "disposition": "withdraw",
                          "status": "violation", "rule": "自然保护地内禁止采矿 " * 3,
                          "basis": "", "distance_m": 0.0}])


def test_report_fits_a4_width(tmp_path):
    browser = _chromium()
    html = render_html(_document(), redlines=_redlines())
    assert "有序退出 withdraw" in html and "位于内部 inside" in html
    page = tmp_path / "report.html"
    page.write_text(html.replace("</body>", _MEASURE), encoding="utf-8")
    profile = tmp_path / "profile"
    res = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--hide-scrollbars",
         f"--window-size={A4_WIDTH_PX},1123", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'data-measure="(\d+)\|(\d+)\|(\d+)\|([^"]*)"', res.stdout)
    assert found, f"chromium gave no measurement (exit {res.returncode}): {res.stderr[-2000:]}"
    scroll, client, widest, which = found.groups()
    assert int(client) <= A4_WIDTH_PX
    assert int(scroll) <= int(client), f"page overflows A4 width: {scroll} > {client}"
    assert int(widest) <= int(client), f"{which} reaches {widest} px > {client}"
