"""Formats simulated orders as tracking_data.csv record batches (no per-row Python)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .catalogue import Campaign, Product
from .cells import Cells
from .orders import Orders
from .population import PLATFORMS, Influencers
from .writer import money_from_paise

# UTM source per platform, as a shop's attribution export would carry it.
SOURCES = {"Instagram": "instagram", "YouTube": "youtube", "TikTok": "tiktok",
           "Twitter": "twitter"}

COLUMNS = ("order_id", "source", "campaign", "influencer_id", "user_id", "product", "brand",
           "date", "orders", "revenue", "group")


def _dict_type() -> pa.DataType:
    return pa.dictionary(pa.int32(), pa.string())


SCHEMA = pa.schema([
    ("order_id", pa.string()), ("source", _dict_type()), ("campaign", _dict_type()),
    ("influencer_id", pa.int64()), ("user_id", pa.string()), ("product", _dict_type()),
    ("brand", _dict_type()), ("date", pa.date32()), ("orders", pa.int8()),
    ("revenue", pa.decimal128(18, 2)), ("group", pa.int8()),
])


def dictionaries(campaigns: list[Campaign], products: list[Product]) -> dict[str, list[str]]:
    brands = sorted({p.brand for p in products})
    return {
        "source": [SOURCES.get(p, p.lower()) for p in PLATFORMS],
        "campaign": [c.name for c in campaigns],
        "product": [p.name for p in products],
        "brand": brands,
    }


def order_id_width(n_rows: int) -> int:
    return max(8, len(str(n_rows)))


def tracking_batches(orders: Orders, cells: Cells, inf: Influencers,
                     campaigns: list[Campaign], products: list[Product],
                     chunk: int = 1_000_000) -> Iterator[pa.RecordBatch]:
    dicts = {k: pa.array(v, pa.string()) for k, v in dictionaries(campaigns, products).items()}
    brand_index = {b: i for i, b in enumerate(dicts["brand"].to_pylist())}
    product_brand = np.array([brand_index[p.brand] for p in products], dtype=np.int32)
    cell_platform = inf.platform[cells.influencer].astype(np.int32)
    cell_campaign = cells.campaign.astype(np.int32)
    cell_influencer_id = inf.ids[cells.influencer]
    width = order_id_width(len(orders))

    def dict_col(indices: np.ndarray, name: str) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), dicts[name])

    for lo in range(0, len(orders), chunk):
        hi = min(lo + chunk, len(orders))
        cell = orders.cell[lo:hi]
        product = orders.product[lo:hi].astype(np.int32)
        # 10**width + i prints as '1' + zero-padded i; swap the leading '1' for 'ORD'.
        serial = pc.cast(pa.array(np.arange(lo + 1, hi + 1, dtype=np.int64) + 10**width),
                         pa.string())
        yield pa.RecordBatch.from_arrays([
            pc.utf8_replace_slice(serial, start=0, stop=1, replacement="ORD"),
            dict_col(cell_platform[cell], "source"),
            dict_col(cell_campaign[cell], "campaign"),
            pa.array(cell_influencer_id[cell], pa.int64()),
            pc.cast(pa.array(orders.user_id[lo:hi], pa.uint64()), pa.string()),
            dict_col(product, "product"),
            dict_col(product_brand[product], "brand"),
            pa.array(orders.day[lo:hi], pa.int32()).cast(pa.date32()),
            pa.array(orders.units[lo:hi], pa.int8()),
            money_from_paise(orders.revenue_paise[lo:hi]),
            pa.array(orders.group[lo:hi], pa.int8()),
        ], schema=SCHEMA)
