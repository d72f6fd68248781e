"""Prepare the sample flights data the way a training pipeline hands it over.

Reads node_modules/vega-datasets/data/flights-3m.parquet (3,000,000 US domestic
flights, 2001-01-01 .. 2001-06-30: date, delay, distance, origin, destination),
derives the model's features and splits by time:

    train       2001-01-01 .. 2001-02-28   (January + February)
    validation  2001-03-01 .. 2001-03-31   (March)
    test        2001-04-01 .. end          (April .. June: later months, so it drifts)

Features (X): hour, weekday (Monday = 0), month (int64), distance (int64),
origin, destination (strings: categorical). Target (y): delay in minutes
(int64, one column `delay`). The date itself is left out: `driftwatch adapt`
adds a synthetic event time later.

The committed sample keeps every k-th row of each period (a systematic sample,
so the rows stay in time order and every day of the period is covered):
about 40k train, 10k validation and 20k test rows. `--full` writes every row
of the same three periods to data/full/ instead (for benchmarks; not committed).

Run: .venv/bin/python data/scripts/prepare_flights.py [--full]
"""
import argparse
import os
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCE = os.path.join(ROOT, "node_modules", "vega-datasets", "data", "flights-3m.parquet")

# (split, first instant included, first instant excluded, rows wanted in the sample)
SPLITS = [
    ("train", datetime(2001, 1, 1), datetime(2001, 3, 1), 40_000),
    ("validation", datetime(2001, 3, 1), datetime(2001, 4, 1), 10_000),
    ("test", datetime(2001, 4, 1), datetime(2001, 8, 1), 20_000),
]
FEATURES = ["hour", "weekday", "month", "distance", "origin", "destination"]
TARGET = "delay"


def load_sorted(path):
    table = pq.read_table(path)
    # A stable sort keeps the file's order among flights of the same minute.
    return table.take(pc.sort_indices(table, sort_keys=[("date", "ascending")]))


def features_of(table):
    date = table["date"]
    x = pa.table(
        {
            "hour": pc.cast(pc.hour(date), pa.int64()),
            # Monday = 0 .. Sunday = 6, like pandas' dt.weekday.
            "weekday": pc.cast(pc.day_of_week(date, count_from_zero=True, week_start=1), pa.int64()),
            "month": pc.cast(pc.month(date), pa.int64()),
            "distance": pc.cast(table["distance"], pa.int64()),
            "origin": pc.cast(table["origin"], pa.string()),
            "destination": pc.cast(table["destination"], pa.string()),
        }
    )
    y = pa.table({TARGET: pc.cast(table[TARGET], pa.int64())})
    return x, y


def period(table, start, end):
    date = table["date"]
    start_scalar = pa.scalar(start, type=date.type)
    end_scalar = pa.scalar(end, type=date.type)
    mask = pc.and_(pc.greater_equal(date, start_scalar), pc.less(date, end_scalar))
    return table.filter(mask)


def systematic_sample(table, wanted):
    step = max(1, table.num_rows // wanted)
    return table.take(pa.array(range(0, step * wanted, step), type=pa.int64()))


def write(table, path):
    pq.write_table(table, path, compression="zstd")
    return os.path.getsize(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="write every row to data/full/ (not committed)")
    args = parser.parse_args()

    out_dir = os.path.join(ROOT, "data", "full" if args.full else "flights")
    os.makedirs(out_dir, exist_ok=True)
    if args.full:
        # Keep the large benchmark files out of git whatever the top-level .gitignore says.
        with open(os.path.join(out_dir, ".gitignore"), "w") as fh:
            fh.write("*\n")

    table = load_sorted(SOURCE)
    print(f"read {table.num_rows} rows from {os.path.relpath(SOURCE, ROOT)}")
    total_bytes = 0
    for split, start, end, wanted in SPLITS:
        rows = period(table, start, end)
        if not args.full:
            rows = systematic_sample(rows, wanted)
        x, y = features_of(rows)
        size = write(x, os.path.join(out_dir, f"X_{split}.parquet"))
        size += write(y, os.path.join(out_dir, f"y_{split}.parquet"))
        total_bytes += size
        first, last = pc.min(rows["date"]).as_py(), pc.max(rows["date"]).as_py()
        print(f"{split:>10}: {rows.num_rows:>8} rows  {first} .. {last}  {size / 1024:.0f} KiB")
    print(f"total {total_bytes / 1024:.0f} KiB in {os.path.relpath(out_dir, ROOT)}/")


if __name__ == "__main__":
    main()
