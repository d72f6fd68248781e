"""Golden cases for column and dataset drift, computed by Evidently 0.7.21 itself.

Each case is a small dataset (reference and current columns with explicit
types), the options a user would give DataDriftPreset, and what Evidently
reports: per column the stat test, score, threshold and drift verdict, and the
dataset-level count/share/verdict. Run by hand:

    .venv/bin/python tools/golden/evidently_drift.py

How the numbers are read (evidently 0.7.21, new API):
- `Report([DataDriftPreset(...)], include_tests=True)` on `Dataset.from_pandas(df,
  data_definition=DataDefinition(numerical_columns=..., categorical_columns=...))`.
- Per column: the preset's `ValueDrift` metric (score, resolved method and
  threshold) and its test status (FAIL = drift detected).
- Dataset: `DriftedColumnsCount` (count, share), its "share < drift_share"
  test (FAIL = dataset drift), and number_of_columns from the legacy
  `DatasetDriftMetric` the preset computes while rendering (cached in the
  snapshot's context). The legacy `DataDriftTable` is read too, to check that
  it agrees with ValueDrift column by column.
- Evidently disagrees with itself when a column holds ±inf but no NaN: the
  legacy metrics behind DriftedColumnsCount clean a column only when
  `isna().any()`, ValueDrift always cleans. Such cases keep Evidently's own
  dataset numbers under "evidently_dataset_legacy" and expect the numbers
  ValueDrift's verdicts imply (what driftwatch, which always cleans, reports).
- Dataset semantics (legacy/calculations/data_drift.py, get_dataset_drift):
  share = drifted / number of columns; dataset_drift = share >= drift_share.
- Option priority (legacy/utils/data_drift_utils.py): stattest per column >
  per type (num_method / cat_method) > global method > automatic choice;
  threshold per column > per type > global > the test's default.
- A column that is empty after dropping NaN/±inf makes Evidently raise
  ValueError for the whole report. Such a case records the message and the
  report over the remaining columns; driftwatch instead reports the column
  with an error and leaves it out of the dataset counts, which then equal
  Evidently's report without that column.
"""
import os
import sys
import warnings

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

sys.path.insert(0, os.path.dirname(__file__))
from common import write_golden  # noqa: E402

warnings.filterwarnings("ignore")

from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.legacy.calculations.stattests.registry import _registered_stat_tests  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

# Evidently reports a test by its display name; driftwatch by the name users type.
NAME_BY_DISPLAY = {}
for _name, _by_type in _registered_stat_tests.items():
    for _test in _by_type.values():
        assert NAME_BY_DISPLAY.get(_test.display_name, _name) == _name, _test.display_name
        NAME_BY_DISPLAY[_test.display_name] = _name

OPTION_KEYS = (
    "method", "num_method", "cat_method", "per_column_method",
    "threshold", "num_threshold", "cat_threshold", "per_column_threshold", "drift_share",
)


def to_series(values, column_type):
    if column_type == "numerical":
        return pd.Series(np.asarray(values, dtype=float))
    return pd.Series(list(values), dtype=object)


def run_report(columns, options, only=None):
    """One DataDriftPreset report; returns (per-column results, dataset results, legacy disagreement)."""
    ref = pd.DataFrame({c["name"]: to_series(c["reference"], c["type"]) for c in columns})
    cur = pd.DataFrame({c["name"]: to_series(c["current"], c["type"]) for c in columns})
    definition = DataDefinition(
        numerical_columns=[c["name"] for c in columns if c["type"] == "numerical"],
        categorical_columns=[c["name"] for c in columns if c["type"] == "categorical"],
    )
    preset = DataDriftPreset(columns=only, **{k: v for k, v in options.items() if k in OPTION_KEYS})
    snapshot = Report([preset], include_tests=True).run(
        Dataset.from_pandas(cur, data_definition=definition),
        Dataset.from_pandas(ref, data_definition=definition),
    )
    table = dataset = None
    for result, _ in snapshot.context._legacy_metrics.values():
        kind = type(result).__name__
        if kind == "DataDriftTableResults":
            table = result
        elif kind == "DatasetDriftMetricResults":
            dataset = result
    assert table is not None and dataset is not None, "preset did not compute the legacy drift metrics"

    report = snapshot.dict()
    metrics = {m["id"]: m for m in report["metrics"]}
    counts = next(m["value"] for m in report["metrics"] if m["config"]["type"].endswith("DriftedColumnsCount"))
    share_test = next(t for t in report["tests"] if t["id"] == "lt")
    assert share_test["status"] in ("SUCCESS", "FAIL"), share_test
    value_drift = {}
    for test in report["tests"]:
        if test["id"] == "drift":
            metric = metrics[test["metric_config"]["metric_id"]]
            value_drift[metric["config"]["column"]] = (metric, test["status"] == "FAIL")

    # Per column: ValueDrift, the new API's own per-column metric (its test status is the verdict).
    results = []
    for name, (metric, drifted) in value_drift.items():
        # ValueDrift shows the display name when it chose the test, the given name otherwise.
        method = metric["config"]["method"]
        stattest = method if method in _registered_stat_tests else NAME_BY_DISPLAY[method]
        results.append({
            "column": name,
            "stattest": stattest,
            "score": float(metric["value"]),
            "threshold": float(metric["config"]["threshold"]),
            "drift_detected": drifted,
        })
    order = list(table.drift_by_columns)
    results.sort(key=lambda r: order.index(r["column"]))
    summary = {
        "number_of_columns": int(dataset.number_of_columns),
        "number_of_drifted_columns": int(counts["count"]),
        "share_of_drifted_columns": float(counts["share"]),
        "dataset_drift": share_test["status"] == "FAIL",
    }
    assert summary["number_of_drifted_columns"] == dataset.number_of_drifted_columns
    assert summary["dataset_drift"] == dataset.dataset_drift

    # The dataset count comes from the legacy DatasetDriftMetric, which skips the
    # NaN/inf cleaning of a column that has ±inf but no NaN (it tests
    # `isna().any()`), while ValueDrift always cleans. Record any disagreement.
    legacy = []
    for r in results:
        col = table.drift_by_columns[r["column"]]
        same = (
            NAME_BY_DISPLAY[col.stattest_name] == r["stattest"]
            and bool(col.drift_detected) == r["drift_detected"]
            and (col.drift_score == r["score"] or (np.isnan(col.drift_score) and np.isnan(r["score"])))
        )
        if not same:
            legacy.append({
                "column": r["column"], "stattest": NAME_BY_DISPLAY[col.stattest_name],
                "score": float(col.drift_score), "drift_detected": bool(col.drift_detected),
            })
    if not legacy:
        assert summary["number_of_drifted_columns"] == sum(r["drift_detected"] for r in results)
    return results, summary, legacy


def make_case(name, columns, options=None, note=None):
    options = options or {}
    for side in ("reference", "current"):
        lengths = {len(c[side]) for c in columns}
        assert len(lengths) == 1, f"case {name!r}: {side} columns differ in length {lengths}"
    case = {"name": name, "options": options, "columns": columns}
    if note:
        case["note"] = note
    try:
        results, summary, legacy = run_report(columns, options)
    except AssertionError as error:
        raise AssertionError(f"case {name!r}: {error}") from error
    except ValueError as error:
        message = str(error)
        failing = [c["name"] for c in columns if f"'{c['name']}'" in message]
        assert len(failing) == 1, message
        rest = [c["name"] for c in columns if c["name"] not in failing]
        results, summary, legacy = run_report(columns, options, only=rest)
        results.append({"column": failing[0], "error": message})
        case["evidently_error"] = message
    if legacy:
        # Evidently disagrees with itself: keep its dataset numbers as reported,
        # and the dataset numbers its per-column verdicts imply (what a
        # consistent engine that cleans ±inf, like driftwatch, reports).
        case["evidently_dataset_legacy"] = {**summary, "columns": legacy}
        drifted = sum(r["drift_detected"] for r in results)
        share = drifted / summary["number_of_columns"]
        drift_share = options.get("drift_share", 0.5)
        summary = {**summary, "number_of_drifted_columns": drifted, "share_of_drifted_columns": share,
                   "dataset_drift": share >= drift_share}
    case["expected"] = {"columns": results, **summary}
    return case


# ---------------------------------------------------------------- data makers

def rng_for(seed):
    return np.random.default_rng(seed)


def normal(seed, n, loc=0.0, scale=1.0, decimals=3):
    return np.round(rng_for(seed).normal(loc, scale, n), decimals)


def discrete(seed, n, values, p=None):
    return rng_for(seed).choice(np.asarray(values, dtype=float), size=n, p=p)


def cats(seed, n, values, p=None):
    return [str(v) for v in rng_for(seed).choice(values, size=n, p=p)]


def num_col(name, reference, current):
    return {"name": name, "type": "numerical", "reference": list(reference), "current": list(current)}


def cat_col(name, reference, current):
    return {"name": name, "type": "categorical", "reference": list(reference), "current": list(current)}


def with_missing(seed, values, share, fill=np.nan):
    out = np.asarray(values, dtype=float).copy()
    idx = rng_for(seed).choice(len(out), size=int(len(out) * share), replace=False)
    out[idx] = fill
    return out


def with_none(seed, values, share):
    out = list(values)
    for i in rng_for(seed).choice(len(out), size=int(len(out) * share), replace=False):
        out[i] = None
    return out


# ---------------------------------------------------------------- the cases

def auto_choice_cases():
    cases = []
    # Reference size boundary on continuous data: ≤ 1000 → ks, > 1000 → wasserstein.
    for n_ref in (50, 999, 1000, 1001, 1500):
        cases.append(make_case(
            f"auto numerical continuous n_ref={n_ref}",
            [num_col("x", normal(n_ref, n_ref), normal(n_ref + 1, 400, 0.15))],
        ))
    # The boundary is on the cleaned length: 1010 rows with 20 NaN are 990 values → ks.
    cases.append(make_case(
        "auto numerical n_ref 1010 raw, 990 after NaN drop → small branch",
        [num_col("x", with_missing(7, normal(8, 1010), 20 / 1010), normal(9, 300, 0.1))],
    ))
    cases.append(make_case(
        "auto numerical n_ref 1001 raw with 1 inf, no NaN → 1000 cleaned → small branch",
        [num_col("x", with_missing(13, normal(14, 1001), 1 / 1001, np.inf), normal(15, 300, 0.2)),
         num_col("y", normal(16, 1001), normal(17, 300))],
    ))
    cases.append(make_case(
        "auto numerical n_ref 1003 raw with 2 inf → 1001 cleaned → large branch",
        [num_col("x", with_missing(10, normal(11, 1003), 2 / 1003, np.inf), normal(12, 300, 0.1))],
    ))
    # Distinct-value counts of ref ∪ cur: 1, 2, 3, 5, 6, on both sides of n_ref = 1000.
    for n_ref, n_cur in ((300, 200), (1000, 400), (1001, 400), (2500, 500)):
        for k in (1, 2, 3, 5, 6):
            values = [float(v) for v in range(k)]
            shifted = [1.0 / k] * k if k > 1 else None
            skew = list(np.linspace(1, 2, k) / np.linspace(1, 2, k).sum()) if k > 1 else None
            cases.append(make_case(
                f"auto numerical n_unique={k} n_ref={n_ref}",
                [num_col("x", discrete(100 * k + n_ref, n_ref, values, shifted),
                         discrete(100 * k + n_ref + 1, n_cur, values, skew))],
            ))
    # Distinct values counted over the union: 3 in reference and 3 new in current → 6 → ks.
    cases.append(make_case(
        "auto numerical n_unique counted over ref ∪ cur (3 + 3 → ks)",
        [num_col("x", discrete(40, 400, [0, 1, 2]), discrete(41, 300, [3, 4, 5]))],
    ))
    cases.append(make_case(
        "auto numerical 2 values in ref, a third only in current → chisquare with unseen key",
        [num_col("x", discrete(42, 400, [0, 1]), discrete(43, 300, [0, 1, 2], [0.45, 0.45, 0.1]))],
    ))
    # Categorical: 1, 2, 3, 5 categories on both sides of the boundary.
    for n_ref, n_cur in ((400, 300), (1000, 500), (1001, 500), (3000, 800)):
        for k in (1, 2, 3, 5):
            values = [f"c{i}" for i in range(k)]
            skew = list(np.linspace(1, 1.6, k) / np.linspace(1, 1.6, k).sum()) if k > 1 else None
            cases.append(make_case(
                f"auto categorical n_unique={k} n_ref={n_ref}",
                [cat_col("c", cats(200 * k + n_ref, n_ref, values), cats(200 * k + n_ref + 1, n_cur, values, skew))],
            ))
    return cases


def messy_value_cases():
    cases = []
    ref = with_missing(50, normal(51, 800), 0.05)
    cur = with_missing(52, normal(53, 600, 0.2), 0.1)
    cur[:7] = np.inf
    cur[7:12] = -np.inf
    ref[:3] = -np.inf
    cases.append(make_case("numerical with NaN and ±inf, small", [num_col("x", ref, cur)]))
    ref = with_missing(54, normal(55, 3000, 0, 2), 0.02)
    ref[10:20] = np.inf
    cur = with_missing(56, normal(57, 2000, 0.3, 2), 0.2)
    cur[:40] = -np.inf
    cases.append(make_case("numerical with NaN and ±inf, large", [num_col("x", ref, cur)]))
    cases.append(make_case(
        "categorical with None, small",
        [cat_col("c", with_none(58, cats(59, 700, ["a", "b", "c", "d"]), 0.1),
                 with_none(60, cats(61, 500, ["a", "b", "c", "d"], [0.4, 0.3, 0.2, 0.1]), 0.3))],
    ))
    cases.append(make_case(
        "categorical with None, large",
        [cat_col("c", with_none(62, cats(63, 2500, ["a", "b", "c"]), 0.05),
                 with_none(64, cats(65, 900, ["a", "b", "c"]), 0.5))],
    ))
    cases.append(make_case(
        "categorical None leaves 2 categories → z",
        [cat_col("c", with_none(66, cats(67, 600, ["yes", "no"]), 0.2),
                 with_none(68, cats(69, 600, ["yes", "no"], [0.6, 0.4]), 0.2))],
    ))
    cases.append(make_case(
        "categorical unseen categories in current, small → chisquare p = 0",
        [cat_col("c", cats(70, 500, ["a", "b", "c"]), cats(71, 400, ["a", "b", "c", "new1", "new2"]))],
    ))
    cases.append(make_case(
        "categorical unseen categories in current, large → jensenshannon",
        [cat_col("c", cats(72, 2000, ["a", "b", "c"]), cats(73, 700, ["a", "b", "c", "new"], [0.3, 0.3, 0.3, 0.1]))],
    ))
    cases.append(make_case(
        "categorical category missing from current",
        [cat_col("c", cats(74, 800, ["a", "b", "c", "d"]), cats(75, 800, ["a", "b", "c"]))],
    ))
    # All-NaN columns: Evidently raises for the whole report.
    cases.append(make_case(
        "numerical column all NaN in current, among others",
        [num_col("empty", normal(76, 500), np.full(300, np.nan)),
         num_col("x", normal(77, 500), normal(78, 300, 0.5)),
         cat_col("c", cats(79, 500, ["a", "b", "c"]), cats(80, 300, ["a", "b", "c"]))],
    ))
    cases.append(make_case(
        "numerical column only ±inf/NaN in current",
        [num_col("x", normal(81, 1500), normal(82, 700, 0.05)),
         num_col("bad", normal(83, 1500), np.resize([np.inf, -np.inf, np.nan], 700))],
    ))
    cases.append(make_case(
        "categorical column all None in current",
        [cat_col("c", cats(84, 400, ["a", "b"]), [None] * 300),
         num_col("x", normal(85, 400), normal(86, 300))],
    ))
    return cases


def option_cases():
    cases = []

    def dataset(seed, n_ref=700, n_cur=500):
        return [
            num_col("n1", normal(seed, n_ref), normal(seed + 1, n_cur, 0.25)),
            num_col("n2", normal(seed + 2, n_ref, 5, 2), normal(seed + 3, n_cur, 5, 2)),
            cat_col("c1", cats(seed + 4, n_ref, ["a", "b", "c"]), cats(seed + 5, n_cur, ["a", "b", "c"], [0.4, 0.3, 0.3])),
            cat_col("c2", cats(seed + 6, n_ref, ["u", "v"]), cats(seed + 7, n_cur, ["u", "v"])),
        ]

    cases.append(make_case("defaults", dataset(300)))
    cases.append(make_case("global threshold", dataset(300), {"threshold": 0.2}))
    cases.append(make_case("global + num threshold", dataset(300), {"threshold": 0.2, "num_threshold": 0.01}))
    cases.append(make_case("global + cat threshold", dataset(300), {"threshold": 0.2, "cat_threshold": 0.001}))
    cases.append(make_case(
        "per column > per type > global threshold",
        dataset(300),
        {"threshold": 0.2, "num_threshold": 0.01, "cat_threshold": 0.3, "per_column_threshold": {"n1": 1e-6, "c2": 0.9}},
    ))
    cases.append(make_case("global method psi", dataset(310), {"method": "psi"}))
    cases.append(make_case("global method jensenshannon + threshold", dataset(310), {"method": "jensenshannon", "threshold": 0.05}))
    cases.append(make_case(
        "num method overrides global, cat keeps global",
        dataset(320), {"method": "hellinger", "num_method": "wasserstein"},
    ))
    cases.append(make_case(
        "per column method > per type > global",
        dataset(330),
        {"method": "psi", "num_method": "ks", "cat_method": "jensenshannon",
         "per_column_method": {"n2": "anderson", "c2": "kl_div"}},
    ))
    cases.append(make_case(
        "per column method with per column threshold",
        dataset(340),
        {"per_column_method": {"n1": "cramer_von_mises", "n2": "ed", "c1": "psi"},
         "per_column_threshold": {"n1": 0.2, "c1": 0.05}},
    ))
    cases.append(make_case(
        "numerical method t_test / mannw, cat method chisquare",
        dataset(350),
        {"num_method": "t_test", "cat_method": "chisquare", "per_column_method": {"n2": "mannw"}},
    ))
    cases.append(make_case(
        "large: num method kl_div, cat method hellinger, thresholds",
        dataset(360, 2500, 1500),
        {"num_method": "kl_div", "cat_method": "hellinger", "num_threshold": 0.02, "per_column_threshold": {"c1": 0.01}},
    ))
    return cases


def drift_share_cases():
    cases = []

    def four(seed, drifted):
        """4 ks columns of which exactly `drifted` have p ≤ 0.05 (seeds searched with scipy's ks_2samp)."""
        cols = []
        for i in range(4):
            shift = 0.8 if i < drifted else 0.0
            for attempt in range(50):
                ref, cur = normal(seed + 100 * attempt + i, 600), normal(seed + 100 * attempt + 10 + i, 500, shift)
                if (ks_2samp(ref, cur).pvalue <= 0.05) == (i < drifted):
                    break
            cols.append(num_col(f"x{i}", ref, cur))
        return cols

    cases.append(make_case("2 of 4 drifted, drift_share 0.5 → share equals → drift", four(400, 2), {"drift_share": 0.5}))
    cases.append(make_case("1 of 4 drifted, drift_share 0.25 → equal → drift", four(410, 1), {"drift_share": 0.25}))
    cases.append(make_case("1 of 4 drifted, default 0.5 → no drift", four(420, 1)))
    cases.append(make_case("3 of 4 drifted, drift_share 0.75 → equal → drift", four(430, 3), {"drift_share": 0.75}))
    cases.append(make_case("3 of 4 drifted, drift_share 0.8 → no drift", four(440, 3), {"drift_share": 0.8}))
    three = [
        num_col("a", normal(450, 500), normal(451, 400, 1.0)),
        num_col("b", normal(452, 500), normal(453, 400)),
        cat_col("c", cats(454, 500, ["p", "q", "r"]), cats(455, 400, ["p", "q", "r"])),
    ]
    cases.append(make_case("1 of 3 drifted, drift_share 1/3 → equal → drift", three, {"drift_share": 1 / 3}))
    cases.append(make_case("0 of 4 drifted, drift_share 0 → drift (0 ≥ 0)", four(460, 0), {"drift_share": 0.0}))
    cases.append(make_case("4 of 4 drifted, drift_share 1", four(470, 4), {"drift_share": 1.0}))
    return cases


def mixed_dataset(seed, n_ref, n_cur, n_num, n_cat, drifted, name, options=None):
    rng = rng_for(seed)
    cols = []
    for i in range(n_num):
        shift = 0.15 * (1 + i % 3) if i in drifted else 0.0
        kind = i % 4
        if kind == 0:
            ref, cur = rng.normal(0, 1, n_ref), rng.normal(shift, 1, n_cur)
        elif kind == 1:
            ref, cur = rng.exponential(2, n_ref), rng.exponential(2 * (1 + shift), n_cur)
        elif kind == 2:
            ref, cur = rng.integers(0, 40, n_ref).astype(float), rng.integers(0, int(40 * (1 + shift)), n_cur).astype(float)
        else:
            ref, cur = rng.uniform(-5, 5, n_ref), rng.uniform(-5 + 5 * shift, 5, n_cur)
        cols.append(num_col(f"num_{i}", np.round(ref, 3), np.round(cur, 3)))
    for j in range(n_cat):
        k = 2 + (j * 3) % 7
        values = [f"v{m}" for m in range(k)]
        p = np.ones(k) / k
        q = p.copy()
        if n_num + j in drifted:
            q = np.linspace(1, 2, k)
            q = q / q.sum()
        ref = [str(v) for v in rng.choice(values, n_ref, p=p)]
        cur = [str(v) for v in rng.choice(values, n_cur, p=q)]
        cols.append(cat_col(f"cat_{j}", ref, cur))
    return make_case(name, cols, options)


def multi_column_cases():
    return [
        mixed_dataset(500, 600, 400, 3, 1, {0, 3}, "mixed 4 columns small"),
        mixed_dataset(510, 900, 700, 5, 2, {1, 2, 5}, "mixed 7 columns small"),
        mixed_dataset(520, 1200, 800, 4, 2, {0, 4}, "mixed 6 columns large"),
        mixed_dataset(530, 2000, 1500, 7, 3, {0, 1, 2, 7, 8}, "mixed 10 columns large, half drifted"),
        mixed_dataset(540, 1000, 1001, 6, 4, {2, 6}, "mixed 10 columns n_ref exactly 1000"),
        mixed_dataset(550, 800, 12000, 3, 1, {1}, "small reference, current > 10000 (ks asymptotic)"),
        mixed_dataset(560, 5000, 20000, 3, 2, {0, 3}, "large 5 columns, 20k current"),
        mixed_dataset(570, 1500, 1200, 5, 3, {0, 1, 2, 3, 4, 5, 6, 7}, "mixed 8 columns mostly drifted, drift_share 0.9",
                      {"drift_share": 0.9}),
        mixed_dataset(580, 700, 600, 4, 4, {1, 5}, "mixed 8 columns with method and thresholds",
                      {"cat_method": "psi", "num_threshold": 0.1, "per_column_method": {"num_2": "wasserstein"}}),
    ]


def main():
    cases = auto_choice_cases() + messy_value_cases() + option_cases() + drift_share_cases() + multi_column_cases()
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    write_golden("evidently-drift", cases, "tools/golden/evidently_drift.py")


if __name__ == "__main__":
    main()
