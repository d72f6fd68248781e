"""Benchmark data for `npm run bench:drift`: 25 feature columns (20 numerical,
5 categorical), reference sets of 5k and 50k rows, current windows of 1k, 10k,
100k and 1M rows, mild drift in some columns. Written to bench/out/drift/ (gitignored).

    .venv/bin/python bench/drift/make_data.py

Deterministic (fixed seeds), so the figures in bench/drift/README.md can be
reproduced. Drift sizes keep every score clearly away from Evidently's default
thresholds, so both engines must agree on every verdict.
"""
import os

import numpy as np
import pandas as pd

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "out", "drift")
REFERENCE_ROWS = {"5k": 5_000, "50k": 50_000}
CURRENT_ROWS = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
# Numerical columns whose current distribution shifts, by how much (in std units).
NUMERICAL_SHIFT = {0: 0.3, 3: 0.5, 7: 0.25, 12: 0.4, 15: 0.02}
# Categorical columns whose current frequencies change.
CATEGORICAL_DRIFT = {1, 4}


def numerical(rng, i, n, drifted):
    shift = NUMERICAL_SHIFT.get(i, 0.0) if drifted else 0.0
    kind = i % 5
    if kind == 0:
        values = rng.normal(10 * i, 1 + i / 10, n) + shift * (1 + i / 10)
    elif kind == 1:
        values = rng.lognormal(0.5, 0.6, n) * (1 + shift)
    elif kind == 2:
        values = rng.uniform(-i, i + 1, n) + shift * (2 * i + 1) / np.sqrt(12)
    elif kind == 3:
        # Counts with many distinct values (> 5, so still wasserstein/ks).
        values = rng.poisson(20 + i + shift * np.sqrt(20 + i), n).astype(float)
    else:
        values = rng.gamma(2.0, 3.0, n) + shift * 4.2
    if i in (2, 9):  # some missing values, as real feeds have
        values[rng.random(n) < 0.03] = np.nan
    return np.round(values, 4)


def categorical(rng, j, n, drifted):
    k = (3, 5, 8, 12, 4)[j]
    categories = np.array([f"{chr(97 + j)}_{m}" for m in range(k)])
    weights = np.linspace(1.0, 2.0, k)
    if drifted and j in CATEGORICAL_DRIFT:
        weights = weights[::-1] ** 1.5
    values = rng.choice(categories, size=n, p=weights / weights.sum()).astype(object)
    if j == 2:
        values[rng.random(n) < 0.02] = None
    return values


def frame(seed, n, drifted):
    rng = np.random.default_rng(seed)
    data = {f"num_{i:02d}": numerical(rng, i, n, drifted) for i in range(20)}
    data.update({f"cat_{j}": categorical(rng, j, n, drifted) for j in range(5)})
    return pd.DataFrame(data)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for label, n in REFERENCE_ROWS.items():
        frame(1000 + n, n, drifted=False).to_parquet(os.path.join(OUT_DIR, f"reference_{label}.parquet"), index=False)
    for label, n in CURRENT_ROWS.items():
        frame(2000 + n, n, drifted=True).to_parquet(os.path.join(OUT_DIR, f"current_{label}.parquet"), index=False)
    print(f"wrote {len(REFERENCE_ROWS) + len(CURRENT_ROWS)} files to {os.path.relpath(OUT_DIR)}")


if __name__ == "__main__":
    main()
