"""A new metric takes YAML and Markdown only (docs/meaning.md).

A copy of the dbt project declares one more ratio of two existing measures of
mart_daily_performance (model meta `metrics`), and a copy of the report pages gets a
page that shows it. No Python or JavaScript changes: the real `roas run` builds the
warehouse from the copy, the page shows the metric with its declared title and format,
and in Chromium a filter re-aggregates it as the declared ratio of sums.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import HAND_FIXTURE, HAND_MAX_REJECT_SHARE, REPO, Build, run_roas
from test_site_helpers import Seen, choose, goto, kpis, launch, needs_chromium, new_tab

from reports.formatting import Formatter

pytestmark = [pytest.mark.slow, needs_chromium]

METRIC = ('"metrics": {"control_share": {"title": "Control share of revenue", '
          '"format": "percent", "ratio": {"numerator": ["control_revenue"], '
          '"denominator": "attributed_revenue", "scale": 1}}}, ')
PAGE = """---
title: Control share
---

```sql total
select sum(control_revenue) / sum(attributed_revenue) as control_share
from mart_daily_performance
```

<KPI data="total" value="control_share" sub="control revenue ÷ attributed revenue"/>
"""


def project_with_metric(root: Path) -> Path:
    """The dbt project copied, with the metric declared in mart_daily_performance's YAML."""
    project = root / "project"
    for name in ("dbt_project.yml", "profiles.yml"):
        project.mkdir(exist_ok=True)
        shutil.copy(REPO / name, project / name)
    for folder in ("models", "macros", "seeds", "tests/dbt"):
        shutil.copytree(REPO / folder, project / folder)
    yml = project / "models" / "marts" / "performance" / "_mart_daily_performance.yml"
    text = yml.read_text(encoding="utf-8")
    model_meta = '      meta: {"site_model":'  # the model's meta, beside what it declares
    assert text.count(model_meta) == 1
    yml.write_text(text.replace(model_meta, '      meta: {' + METRIC + '"site_model":'),
                   encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("metric")
    project = project_with_metric(root)
    pages = root / "pages"
    shutil.copytree(REPO / "reports" / "pages", pages)
    (pages / "control.md").write_text(PAGE, encoding="utf-8")
    data = root / "raw"
    shutil.copytree(HAND_FIXTURE, data)
    site, warehouse = root / "site", root / "warehouse.duckdb"
    result = run_roas("run", "--data", data, "--out", site, "--warehouse", warehouse,
                      "--pages", pages, *HAND_MAX_REJECT_SHARE,
                      env={"ROAS_PROJECT_DIR": str(project)})
    assert result.returncode == 0, f"roas run failed:\n{result.stdout}\n{result.stderr}"
    return Build(data, site, warehouse, result)


def test_the_declared_metric_reaches_the_warehouse(build: Build) -> None:
    meaning = build.one("""select meaning, column_position from column_meanings
                           where column_name = 'control_share'""")
    assert '"format": "percent"' in meaning["meaning"] and meaning["column_position"] is None


def test_the_page_shows_it_and_a_filter_reaggregates_it(build: Build) -> None:
    fmt = Formatter("₹")
    (total,) = build.query("""select sum(control_revenue) / sum(attributed_revenue)
                              from mart_daily_performance""")[0]
    campaign, share = build.query("""
        select campaign, sum(control_revenue) / sum(attributed_revenue)
        from mart_daily_performance group by campaign
        having sum(control_revenue) > 0 order by campaign limit 1""")[0]
    assert share != total  # the filter must change the value
    from playwright.sync_api import sync_playwright

    seen = Seen()
    with sync_playwright() as p:
        browser = launch(p)
        page = new_tab(browser, seen)
        goto(page, build.site / "control.html")
        tile = kpis(page)["Control share of revenue"]  # the declared title
        assert tile["value"] == fmt.format(total, "percent")  # the declared format
        choose(page, "campaign", campaign)
        assert kpis(page)["Control share of revenue"]["value"] == fmt.format(share, "percent")
        browser.close()
    seen.assert_clean()
