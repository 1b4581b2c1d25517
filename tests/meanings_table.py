"""The table `column_meanings` for warehouses a test builds by hand (without dbt).

The same rows as macros/meanings.sql writes during a dbt build, read from the project's
YAML; test_meanings.py checks the two agree on a real build.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def declared_rows(root: Path = ROOT) -> list[dict]:
    rows = []
    models = []
    for path in sorted((root / "models").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            if model.get("access") == "public":
                models.append(model)
    for model in sorted(models, key=lambda m: m["name"]):
        for position, column in enumerate(model.get("columns", []), start=1):
            rows.append({
                "model_name": model["name"],
                "model_meta": json.dumps((model.get("config") or {}).get("meta") or {},
                                         sort_keys=True),
                "model_description": model.get("description", ""),
                "column_name": column["name"],
                "column_position": position,
                "data_type": column.get("data_type", ""),
                "column_description": column.get("description", ""),
                "meaning": json.dumps(column.get("meta") or {}, sort_keys=True),
            })
        meta = (model.get("config") or {}).get("meta") or {}
        for name in sorted(meta.get("metrics") or {}):
            rows.append({
                "model_name": model["name"], "model_meta": json.dumps(meta, sort_keys=True),
                "model_description": model.get("description", ""), "column_name": name,
                "column_position": None, "data_type": "",
                "column_description": meta["metrics"][name].get("description", ""),
                "meaning": json.dumps(meta["metrics"][name], sort_keys=True),
            })
    return rows


def write_column_meanings(con: duckdb.DuckDBPyConnection, root: Path = ROOT) -> None:
    frame = pd.DataFrame(declared_rows(root))  # noqa: F841 (read by DuckDB by name)
    con.execute("create or replace table column_meanings as select * from frame")
