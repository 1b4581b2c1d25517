"""Uniqueness across batches: the first line of every key seen so far (validate_folder)."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def _threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


class FirstSeen:
    """First line of every key seen so far, across batches, exact.

    Earlier keys are kept once each (Arrow chunks) and found through their 64-bit
    hashes, held in a few sorted runs (merged like a binary counter), so a batch
    costs a binary search per run instead of a hash set of every earlier key
    rebuilt per batch (that was quadratic: 30 of 60 s at 10M rows). A hash match
    is confirmed on the key itself; a collision falls back to an exact search.
    """

    def __init__(self) -> None:
        self.con = None
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, key index)
        self.keys: list[pa.Array] = []  # every distinct key once, in order of first line
        self.lines = np.zeros(1 << 16, dtype=np.int64)  # first line of key i
        self.count = 0

    def _hashes(self, keys: pa.Array) -> np.ndarray:
        if self.con is None:
            import duckdb

            self.con = duckdb.connect(config={"threads": _threads()})
        self.con.register("kb", pa.table({"k": keys}))
        try:
            return self.con.sql("SELECT hash(k) AS h FROM kb").fetchnumpy()["h"].astype(np.uint64)
        finally:
            self.con.unregister("kb")

    def first_lines(self, keys: pa.Array, lines: np.ndarray) -> pa.Array:
        """Int64: the line of an earlier row with the same key; NULL for a first occurrence."""
        n = len(keys)
        out = np.full(n, -1, dtype=np.int64)
        if n:
            present = pc.is_valid(keys).to_numpy(zero_copy_only=False)
            hashes = self._hashes(keys)
            # one stable sort serves all three steps; equal hashes keep file order
            order = np.argsort(hashes, kind="stable")
            sorted_hashes = hashes[order]
            self._earlier(keys, order, sorted_hashes, present, out)
            self._within(keys, order, sorted_hashes, present, lines, out)
            self._add(keys, order, sorted_hashes, lines, present & (out < 0))
            out[~present] = -1
        return pa.array(out, type=pa.int64(), mask=out < 0)

    def _earlier(
        self,
        keys: pa.Array,
        order: np.ndarray,
        sorted_hashes: np.ndarray,
        present: np.ndarray,
        out: np.ndarray,
    ) -> None:
        """Keys seen in earlier batches: the line of their first occurrence there."""
        if not self.count:
            return
        cand_pos, cand_idx = [], []
        for run_hashes, run_idx in self.runs:
            # sorted queries walk each run in order: cache-friendly binary searches
            at = np.minimum(np.searchsorted(run_hashes, sorted_hashes), len(run_hashes) - 1)
            hit = run_hashes[at] == sorted_hashes
            hit_pos = order[hit]
            keep = present[hit_pos]
            cand_pos.append(hit_pos[keep])
            cand_idx.append(run_idx[at[hit]][keep])
        pos, idx = np.concatenate(cand_pos), np.concatenate(cand_idx)
        if not len(pos):
            return
        stored = pa.chunked_array(self.keys, keys.type).take(pa.array(idx))
        same = pc.fill_null(pc.equal(stored, keys.take(pa.array(pos))), False)
        same = same.to_numpy(zero_copy_only=False)
        out[pos[same]] = self.lines[idx[same]]
        # a hash shared by different keys: settle those rows by comparing every stored key
        doubtful = np.setdiff1d(pos[~same], pos[same])
        if len(doubtful):
            every = pa.chunked_array(self.keys, keys.type).combine_chunks()
            found = pc.index_in(keys.take(pa.array(doubtful)), value_set=every)
            found = pc.fill_null(found, -1).to_numpy()
            out[doubtful[found >= 0]] = self.lines[found[found >= 0]]

    @staticmethod
    def _within(
        keys: pa.Array,
        order: np.ndarray,
        sorted_hashes: np.ndarray,
        present: np.ndarray,
        lines: np.ndarray,
        out: np.ndarray,
    ) -> None:
        """Keys repeated within this batch (and not seen before): their first line here."""
        starts = np.ones(len(order), dtype=bool)
        starts[1:] = sorted_hashes[1:] != sorted_hashes[:-1]
        if starts.all():
            return
        # the head of a run of equal hashes is its first row in the file (stable sort)
        head = order[np.flatnonzero(starts)[np.cumsum(starts) - 1]]
        follower = order[~starts]
        head = head[~starts]
        keep = present[follower] & (out[follower] < 0)
        follower, head = follower[keep], head[keep]
        if not len(follower):
            return
        same = pc.equal(keys.take(pa.array(follower)), keys.take(pa.array(head)))
        same = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
        out[follower[same]] = lines[head[same]]
        doubtful = follower[~same]
        if len(doubtful):  # a hash collision: find the key's first position exactly
            first = pc.index_in(keys.take(pa.array(doubtful)), value_set=keys)
            first = pc.fill_null(first, -1).to_numpy()
            earlier = (first >= 0) & (first < doubtful)
            out[doubtful[earlier]] = lines[first[earlier]]

    def _add(
        self,
        keys: pa.Array,
        order: np.ndarray,
        sorted_hashes: np.ndarray,
        lines: np.ndarray,
        new: np.ndarray,
    ) -> None:
        """Store the batch's first occurrences of keys never seen before."""
        pos = np.flatnonzero(new)
        if not len(pos):
            return
        start, end = self.count, self.count + len(pos)
        if end > len(self.lines):
            self.lines = np.resize(self.lines, max(end, 2 * len(self.lines)))
        self.lines[start:end] = lines[pos]
        self.keys.append(keys.take(pa.array(pos)))
        self.count = end
        in_order = new[order]
        run_pos = order[in_order]
        rank = np.cumsum(new) - 1  # a new key's index among the batch's new keys
        self.runs.append((sorted_hashes[in_order], start + rank[run_pos]))
        # merge equal-sized runs: at most log2(batches) runs to search
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= len(self.runs[-1][0]):
            (h1, i1), (h2, i2) = self.runs.pop(-2), self.runs.pop()
            # a linear merge: where each element of the second run lands among the first
            at = np.searchsorted(h1, h2, side="right") + np.arange(len(h2))
            rest = np.ones(len(h1) + len(h2), dtype=bool)
            rest[at] = False
            h, i = np.empty(len(rest), h1.dtype), np.empty(len(rest), i1.dtype)
            h[at], i[at], h[rest], i[rest] = h2, i2, h1, i1
            self.runs.append((h, i))
