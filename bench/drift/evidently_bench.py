"""Times Evidently 0.7.21's DataDriftPreset report (default settings) on the
benchmark pairs and prints one JSON document on stdout. Spawned by
bench/drift/bench.ts so both engines are measured in the same run.

    .venv/bin/python bench/drift/evidently_bench.py REF.parquet:CUR.parquet [...] [--repeat 3]

One core: BLAS/OpenMP thread pools are pinned to 1 before numpy loads. Each
pair: one warm-up run, then the best of --repeat timed runs of
`Report([DataDriftPreset()]).run(current, reference)` (reading the Parquet
files is not timed, as in the TypeScript bench).
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import pandas as pd  # noqa: E402

warnings.filterwarnings("ignore")

from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402


def run_once(reference, current, definition):
    snapshot = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    return snapshot


def verdicts(snapshot):
    """Per-column results of the DataDriftTable the preset computed (cached in its context)."""
    for result, _ in snapshot.context._legacy_metrics.values():
        if type(result).__name__ == "DataDriftTableResults":
            return {
                name: {
                    "stattest": col.stattest_name,
                    "score": None if math.isnan(col.drift_score) else float(col.drift_score),
                    "drift_detected": bool(col.drift_detected),
                }
                for name, col in result.drift_by_columns.items()
            }
    raise RuntimeError("DataDriftPreset did not compute a DataDriftTable")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pairs", nargs="+", help="reference.parquet:current.parquet")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out = []
    for pair in args.pairs:
        ref_path, cur_path = pair.split(":")
        reference = pd.read_parquet(ref_path)
        current = pd.read_parquet(cur_path)
        definition = DataDefinition(
            numerical_columns=[c for c in reference.columns if c.startswith("num_")],
            categorical_columns=[c for c in reference.columns if c.startswith("cat_")],
        )
        snapshot = run_once(reference, current, definition)  # warm-up
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            snapshot = run_once(reference, current, definition)
            times.append(time.perf_counter() - start)
        out.append({
            "reference": ref_path,
            "current": cur_path,
            "reference_rows": len(reference),
            "current_rows": len(current),
            "seconds": min(times),
            "all_seconds": times,
            "columns": verdicts(snapshot),
        })
    print(json.dumps({"evidently": __import__("evidently").__version__, "pairs": out}))


if __name__ == "__main__":
    main()
