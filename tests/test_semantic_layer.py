"""The MetricFlow semantic layer (models/semantic/, docs/semantic-layer.md).

`dbt parse` validates the semantic models and metrics (dbt-core runs MetricFlow's
semantic validations at parse time and refuses an invalid manifest); these tests
check what it wrote, that the time spine covers the programme, and that the
metrics' definitions, computed the way MetricFlow does (sum each measure over its
semantic model, then divide), equal the marts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from roas.config import RunConfig
from roas.paths import build_paths, project_dir

METRICS = {"revenue", "attributed_orders", "spend", "roas", "incremental_revenue", "iroas"}


@pytest.fixture(scope="module")
def semantic_manifest(hand_build) -> dict:
    """`dbt parse` over the hand build's target folder (a partial parse: seconds)."""
    paths = build_paths(hand_build.warehouse)
    project = str(project_dir())
    env = {**os.environ, "ROAS_WAREHOUSE": str(paths.warehouse),
           "ROAS_VALIDATED_DIR": str(paths.validated_dir),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    inputs = json.loads((paths.validated_dir / "inputs.json").read_text())
    # the run's own vars and environment, so that dbt parses only what changed
    dbt_vars = RunConfig().dbt_vars(has_audiences=inputs["has_audiences"],
                                    tracking_has_group=inputs["tracking_has_group"])
    result = subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "parse",
         "--project-dir", project, "--profiles-dir", project,
         "--target-path", str(paths.dbt_target_dir), "--log-path", str(paths.dbt_log_dir),
         "--vars", json.dumps(dbt_vars, sort_keys=True), "--no-use-colors"],
        capture_output=True, text=True, env=env, cwd=project,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warn" not in result.stdout.lower(), result.stdout
    return json.loads((paths.dbt_target_dir / "semantic_manifest.json").read_text())


def test_parse_writes_the_metrics_and_semantic_models(semantic_manifest):
    metrics = {m["name"]: m for m in semantic_manifest["metrics"]}
    assert set(metrics) == METRICS
    roas = metrics["roas"]["type_params"]
    assert metrics["roas"]["type"] == "ratio"
    assert (roas["numerator"]["name"], roas["denominator"]["name"]) == ("revenue", "spend")
    iroas = metrics["iroas"]["type_params"]
    assert (iroas["numerator"]["name"], iroas["denominator"]["name"]) == (
        "incremental_revenue", "spend")
    models = {m["name"] for m in semantic_manifest["semantic_models"]}
    assert models == {"order_lines", "incrementality_cells", "influencers"}
    (spine,) = semantic_manifest["project_configuration"]["time_spines"]
    assert spine["node_relation"]["alias"] == "metricflow_time_spine"
    assert spine["primary_column"] == {"name": "date_day", "time_granularity": "day"}


def test_time_spine_covers_every_day_of_the_programme(hand_build):
    first, last, days, distinct, lo, hi = hand_build.query(
        "select p.first_date, p.last_date, count(*), count(distinct s.date_day), "
        "min(s.date_day), max(s.date_day) "
        "from metricflow_time_spine s cross join mart_programme_summary p "
        "group by p.first_date, p.last_date"
    )[0]
    assert (lo, hi) == (first, last)
    assert days == distinct == (last - first).days + 1


def test_metric_definitions_equal_the_marts(hand_build):
    """ROAS, iROAS, revenue, spend and incremental revenue as MetricFlow computes them
    (measures summed over their semantic models, ratios divided after) = the marts."""
    revenue, spend, incremental, roas, iroas = hand_build.query(
        "select sum(o.attributed_revenue), c.spend, c.incremental_revenue, "
        "sum(o.attributed_revenue) / c.spend, c.incremental_revenue / c.spend "
        "from fct_orders o cross join (select sum(spend) as spend, "
        "sum(incremental_revenue) as incremental_revenue from sem_incrementality_cells) c "
        "group by c.spend, c.incremental_revenue"
    )[0]
    mart = hand_build.one(
        "select attributed_revenue, spend, incremental_revenue, roas, iroas "
        "from mart_programme_summary"
    )
    assert revenue == pytest.approx(mart["attributed_revenue"], rel=1e-12)
    assert spend == pytest.approx(mart["spend"], rel=1e-12)
    assert incremental == pytest.approx(mart["incremental_revenue"], rel=1e-12)
    assert roas == pytest.approx(mart["roas"], rel=1e-12)
    assert iroas == pytest.approx(mart["iroas"], rel=1e-12)
    # by campaign (a dimension of both semantic models): revenue / spend = the campaign mart
    by_campaign = hand_build.query(
        "with r as (select campaign, sum(attributed_revenue) as revenue from fct_orders "
        "group by campaign), s as (select campaign, sum(spend) as spend from "
        "sem_incrementality_cells group by campaign) "
        "select m.campaign, coalesce(r.revenue, 0) / nullif(s.spend, 0), m.roas "
        "from mart_campaign_performance m join s using (campaign) left join r using (campaign)"
    )
    assert by_campaign
    for campaign, metric_roas, mart_roas in by_campaign:
        if mart_roas is None:
            assert not metric_roas, campaign
        else:
            assert metric_roas == pytest.approx(mart_roas, rel=1e-12), campaign
