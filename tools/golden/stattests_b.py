"""Golden cases for psi, jensenshannon, kl_div, chisquare, z, hellinger, TVD and the binning helper.

Expected values come from Evidently's own stattest functions
(`<stat_test>.func(reference, current, feature_type, threshold)`), so the
binning is proven against Evidently itself, plus scipy / numpy directly for
statistics Evidently does not return and for numpy's sturges bin edges.

Inputs are cleaned the way Evidently's data-drift calculation cleans a column
(±inf → NaN, dropna) before the stattest is called; the raw inputs (with
NaN/±inf/None) go into the file so the TypeScript side proves its profiles
clean them the same way.

Layout of the cases (one list, `kind` says which):
  dataset   {id, type, reference, current}            raw inputs, shared by the cases below
  stattest  {test, dataset, score, statistic?, drift, exact_order}
  binned    {dataset, zero_fill, reference, current}  Evidently's get_binned_data, keys ascending
  edges     {values_min, values_max, size, integer, edges}   np.histogram_bin_edges(a, "sturges")
  sturges   {ptp, breakpoints}   [size, bin count] wherever numpy's sturges count changes

Run: .venv/bin/python tools/golden/stattests_b.py  (PYTHONHASHSEED is fixed below
so Python's set order, which Evidently's key order follows, is reproducible).
"""
import math
import warnings
import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np
import pandas as pd
from scipy.stats import chisquare as scipy_chisquare

from evidently.legacy.calculations.stattests.chisquare_stattest import chi_stat_test
from evidently.legacy.calculations.stattests.hellinger_distance import hellinger_stat_test
from evidently.legacy.calculations.stattests.jensenshannon import jensenshannon_stat_test
from evidently.legacy.calculations.stattests.kl_div import kl_div_stat_test
from evidently.legacy.calculations.stattests.psi import psi_stat_test
from evidently.legacy.calculations.stattests.tvd_stattest import _total_variation_distance, tvd_test
from evidently.legacy.calculations.stattests.utils import get_binned_data, get_unique_not_nan_values_list_from_series
from evidently.legacy.calculations.stattests.z_stattest import proportions_diff_z_stat_ind, z_stat_test
from evidently.legacy.core import ColumnType

sys.path.insert(0, os.path.dirname(__file__))
from common import write_golden  # noqa: E402

TESTS = {
    "psi": psi_stat_test,
    "jensenshannon": jensenshannon_stat_test,
    "kl_div": kl_div_stat_test,
    "chisquare": chi_stat_test,
    "z": z_stat_test,
    "hellinger": hellinger_stat_test,
    "TVD": tvd_test,
}
BINNED_TESTS = ["psi", "jensenshannon", "kl_div", "hellinger"]
COUNT_TESTS = ["chisquare", "z"]

warnings.filterwarnings("ignore", category=RuntimeWarning)  # chi-square divides by f_exp = 0 on purpose
warnings.filterwarnings("ignore", category=FutureWarning)  # pandas downcasting notice in replace()
rng = np.random.default_rng(20240611)


def clean(values, column_type):
    """Evidently's column cleaning: ±inf → NaN, drop NaN (None too)."""
    if column_type == "numerical":
        series = pd.Series([np.nan if v is None else v for v in values], dtype=float)
    else:
        series = pd.Series(values, dtype=object)
    return series.replace([np.inf, -np.inf], np.nan).dropna().reset_index(drop=True)


def num(values, decimals=6):
    return [float(v) for v in np.round(np.asarray(values, dtype=float), decimals)]


datasets = []


def dataset(name, column_type, reference, current, tests, sort_for_tvd=True):
    """Register a dataset and the tests to run on it."""
    if column_type == "categorical" and sort_for_tvd:
        # TVD's permutation p-value depends on row order; profiles keep counts,
        # laid out in key order, so sorted inputs make Evidently's order ours.
        reference = sorted(reference, key=lambda v: (v is None, str(v)))
        current = sorted(current, key=lambda v: (v is None, str(v)))
    datasets.append(dict(id=name, type=column_type, reference=list(reference), current=list(current),
                         tests=tests, exact_order=sort_for_tvd))


# ---------------------------------------------------------------- numerical
ALL_NUM = BINNED_TESTS
FEW_NUM = BINNED_TESTS + COUNT_TESTS

dataset("normal_large_shift", "numerical", num(rng.normal(0, 1, 4000), 4), num(rng.normal(0.3, 1.1, 3000), 4), ALL_NUM)
dataset("normal_large_same", "numerical", num(rng.normal(5, 2, 3000), 4), num(rng.normal(5, 2, 2500), 4), ALL_NUM)
dataset("normal_small", "numerical", num(rng.normal(0, 1, 50)), num(rng.normal(0.5, 1, 40)), ALL_NUM)
dataset("normal_tiny_current", "numerical", num(rng.normal(0, 1, 200)), num(rng.normal(0, 1, 5)), ALL_NUM)
dataset("ties_one_decimal", "numerical", num(rng.normal(0, 2, 2000), 1), num(rng.normal(0.2, 2, 1500), 1), ALL_NUM)
dataset("lognormal_skew", "numerical", num(rng.lognormal(0, 1, 3000), 5), num(rng.lognormal(0.1, 1.2, 2000), 5), ALL_NUM)
dataset("disjoint_far", "numerical", num(rng.normal(0, 1, 300)), num(rng.normal(50, 1, 300)), ALL_NUM)
dataset("current_inside_narrow", "numerical", num(rng.uniform(0, 100, 500)), num(rng.uniform(40, 41, 100)), ALL_NUM)
dataset("negative_range", "numerical", num(rng.uniform(-1000, -10, 400), 3), num(rng.uniform(-900, -5, 300), 3), ALL_NUM)
dataset("tiny_scale", "numerical", [float(v) for v in rng.normal(0, 1e-9, 300)], [float(v) for v in rng.normal(1e-10, 1e-9, 200)], ALL_NUM)
dataset("huge_scale", "numerical", num(rng.normal(1e12, 1e10, 300), 0), num(rng.normal(1.01e12, 1e10, 300), 0), ALL_NUM)
# Integers 0..99 on both sides: N=200 gives 9 sturges bins with edges 0, 11, …, 99 — every edge is a value.
dataset("values_on_edges", "numerical", [float(v) for v in range(100)], [float(v) for v in range(0, 100, 2)] * 2, ALL_NUM)
dataset("values_on_edges_uneven", "numerical", [float(v) for v in range(100)] + [11.0, 22.0, 99.0, 0.0],
        [11.0, 22.0, 33.0, 44.0, 55.0, 66.0, 77.0, 88.0, 99.0, 0.0] * 3, ALL_NUM)
dataset("linspace_edges", "numerical", [float(v) for v in np.linspace(0, 1, 33)], [float(v) for v in np.linspace(0, 1, 31)], ALL_NUM)
# Combined sizes that are powers of two: log2 is exact, ceil(range / width) sits on an integer.
dataset("pow2_total_64", "numerical", num(rng.normal(0, 1, 32)), num(rng.normal(0.2, 1, 32)), ALL_NUM)
dataset("pow2_total_1024", "numerical", num(rng.uniform(0, 10, 600)), num(rng.uniform(1, 11, 424)), ALL_NUM)
dataset("pow2_total_4096", "numerical", num(rng.exponential(1, 2048), 4), num(rng.exponential(1.3, 2048), 4), ALL_NUM)
dataset("exactly_20_distinct", "numerical", [float(i % 20) for i in range(200)], [float(i % 20) * 1.0 for i in range(7, 157)], ALL_NUM)
dataset("exactly_21_distinct", "numerical", [float(i % 21) for i in range(210)], [float(i % 21) for i in range(3, 120)], ALL_NUM)
dataset("few_ref_many_cur", "numerical", [float(v) for v in rng.integers(0, 5, 300)], num(rng.uniform(0, 4, 200), 2), ALL_NUM)
dataset("poisson_few_unique", "numerical", [float(v) for v in rng.poisson(3, 800)], [float(v) for v in rng.poisson(3.5, 600)], FEW_NUM)
dataset("three_values", "numerical", [float(v) for v in rng.choice([1.0, 2.5, 4.0], 300, p=[0.5, 0.3, 0.2])],
        [float(v) for v in rng.choice([1.0, 2.5, 4.0], 250, p=[0.4, 0.3, 0.3])], FEW_NUM)
dataset("three_values_unseen", "numerical", [float(v) for v in rng.choice([1.0, 2.0], 100)],
        [float(v) for v in rng.choice([1.0, 2.0, 3.0], 100)], FEW_NUM)
dataset("binary_numeric", "numerical", [float(v) for v in rng.integers(0, 2, 500)], [float(v) for v in (rng.random(400) < 0.6)], FEW_NUM)
dataset("binary_numeric_same", "numerical", [0.0, 1.0] * 100, [1.0, 0.0] * 60, FEW_NUM)
dataset("constant_ref", "numerical", [3.0] * 100, num(rng.normal(3, 1, 80)), ALL_NUM)
dataset("constant_both_equal", "numerical", [7.5] * 50, [7.5] * 30, FEW_NUM)
dataset("constant_both_different", "numerical", [1.0] * 50, [2.0] * 30, FEW_NUM)
dataset("constant_cur", "numerical", num(rng.normal(0, 1, 100)), [0.25] * 40, ALL_NUM)
dataset("with_missing_values", "numerical",
        num(rng.normal(0, 1, 120)) + [math.nan, math.inf, -math.inf, None, math.nan],
        [None, math.inf] + num(rng.normal(0.4, 1, 90)) + [math.nan, -math.inf], ALL_NUM)
dataset("few_unique_with_missing", "numerical", [1.0, 2.0, 3.0, math.nan, None, 2.0, 2.0, math.inf] * 20,
        [3.0, 3.0, 1.0, -math.inf, math.nan, 2.0] * 15, FEW_NUM)
dataset("rare_bins_zero_fill", "numerical", num(rng.normal(0, 1, 12000), 3), num(rng.normal(0, 1, 500), 3) + [9.5], ALL_NUM)

# ---------------------------------------------------------------- categorical
ALL_CAT = BINNED_TESTS + COUNT_TESTS + ["TVD"]


def cats(values):
    return [str(v) for v in values]


letters = [f"c{i:02d}" for i in range(60)]
dataset("cat_three_similar", "categorical", cats(rng.choice(["a", "b", "c"], 300, p=[0.5, 0.3, 0.2])),
        cats(rng.choice(["a", "b", "c"], 200, p=[0.45, 0.35, 0.2])), ALL_CAT)
dataset("cat_three_shift", "categorical", cats(rng.choice(["a", "b", "c"], 300, p=[0.5, 0.3, 0.2])),
        cats(rng.choice(["a", "b", "c"], 200, p=[0.2, 0.3, 0.5])), ALL_CAT)
dataset("cat_unseen_in_current", "categorical", cats(rng.choice(["x", "y", "z"], 200)),
        cats(rng.choice(["x", "y", "z", "new"], 150, p=[0.3, 0.3, 0.3, 0.1])), ALL_CAT)
dataset("cat_missing_from_current", "categorical", cats(rng.choice(["p", "q", "r", "s"], 250)),
        cats(rng.choice(["p", "q"], 120)), ALL_CAT)
dataset("cat_binary", "categorical", cats(rng.choice(["no", "yes"], 400, p=[0.7, 0.3])),
        cats(rng.choice(["no", "yes"], 300, p=[0.6, 0.4])), ALL_CAT)
dataset("cat_binary_same", "categorical", ["no"] * 30 + ["yes"] * 20, ["no"] * 60 + ["yes"] * 40, ALL_CAT)
dataset("cat_binary_extreme", "categorical", ["A"] * 5000 + ["B"] * 100, ["A"] * 100 + ["B"] * 4000,
        BINNED_TESTS + COUNT_TESTS)
dataset("cat_constant_equal", "categorical", ["only"] * 40, ["only"] * 25, ALL_CAT)
dataset("cat_constant_different", "categorical", ["left"] * 40, ["right"] * 25, ALL_CAT)
dataset("cat_single_ref_many_cur", "categorical", ["m"] * 60, cats(rng.choice(["m", "n", "o"], 50)), ALL_CAT)
dataset("cat_many_large", "categorical", cats(rng.choice(letters[:50], 6000)),
        cats(rng.choice(letters[5:55], 3000)), BINNED_TESTS + COUNT_TESTS)
dataset("cat_many_medium", "categorical", cats(rng.choice(letters[:12], 900)),
        cats(rng.choice(letters[:12], 700, p=np.r_[np.full(6, 0.1), np.full(6, 0.4 / 6)])), ALL_CAT)
dataset("cat_with_missing", "categorical", ["a", "b", None, "c", math.nan, "a", "b", "b"] * 25,
        [None, "a", "c", "c", math.inf, "b"] * 20, ALL_CAT)
dataset("cat_rare_zero_fill", "categorical", ["common"] * 15000 + ["rare"] * 1, ["common"] * 300 + ["rare"] * 2 + ["fresh"] * 1,
        BINNED_TESTS + COUNT_TESTS)
dataset("cat_numbers_as_text", "categorical", cats(rng.integers(1, 4, 200)), cats(rng.integers(1, 5, 150)), ALL_CAT)
dataset("cat_tiny", "categorical", ["a", "b"], ["b", "b", "c"], ALL_CAT)
dataset("cat_unsorted_order", "categorical", cats(rng.choice(["u", "v", "w"], 300)),
        cats(rng.choice(["u", "v", "w"], 200, p=[0.25, 0.35, 0.4])), ["TVD"], sort_for_tvd=False)
dataset("cat_unsorted_order_shift", "categorical", cats(rng.choice(["u", "v", "w", "x"], 400)),
        cats(rng.choice(["u", "v", "w", "x"], 300, p=[0.1, 0.2, 0.3, 0.4])), ["TVD"], sort_for_tvd=False)

# TVD near the null, so the permutation p-values land between 0 and 1 and prove the shuffle.
for index, (n_ref, n_cur, k) in enumerate([(150, 120, 3), (400, 90, 5), (60, 60, 2), (1000, 800, 6), (250, 300, 4),
                                           (500, 400, 10), (700, 300, 8)]):
    labels = [f"k{i}" for i in range(k)]
    dataset(f"tvd_near_null_{index}", "categorical", cats(rng.choice(labels, n_ref)), cats(rng.choice(labels, n_cur)), ["TVD"])
# Single-digit int categories: Python's set order is ascending, as is the profile's text order,
# so Evidently's float summation order is ours and the p-value must match exactly.
for index, (n_ref, n_cur, k) in enumerate([(600, 500, 10), (300, 200, 9), (120, 100, 7)]):
    dataset(f"tvd_int_labels_{index}", "categorical", [int(v) for v in rng.integers(0, k, n_ref)],
            [int(v) for v in rng.integers(0, k, n_cur)], ["TVD"])

# ---------------------------------------------------------------- cases
cases = []
for ds in datasets:
    column_type = ColumnType.Numerical if ds["type"] == "numerical" else ColumnType.Categorical
    reference = clean(ds["reference"], ds["type"])
    current = clean(ds["current"], ds["type"])
    cases.append(dict(kind="dataset", id=ds["id"], type=ds["type"], reference=ds["reference"], current=ds["current"]))
    for name in ds["tests"]:
        stat_test = TESTS[name]
        score, drift = stat_test.func(reference.copy(), current.copy(), column_type, stat_test.default_threshold)
        case = dict(kind="stattest", test=name, dataset=ds["id"], score=score, drift=bool(drift),
                    exact_order=ds["exact_order"])
        keys = sorted(get_unique_not_nan_values_list_from_series(current, reference))
        if name == "chisquare":
            ref_counts = reference.value_counts()
            cur_counts = current.value_counts()
            k_norm = current.shape[0] / reference.shape[0]
            f_exp = [ref_counts.get(k, 0) * k_norm for k in keys]
            f_obs = [cur_counts.get(k, 0) for k in keys]
            case["statistic"] = scipy_chisquare(f_obs, f_exp)[0]
        elif name == "z" and len(keys) > 1:
            case["statistic"] = proportions_diff_z_stat_ind(
                reference.apply(lambda x: 0 if x == keys[0] else 1), current.apply(lambda x: 0 if x == keys[0] else 1))
        elif name == "TVD":
            case["statistic"] = _total_variation_distance(reference, current)
            # Evidently sums |r/n_r − c/n_c| in Python set order; when that is not
            # the sorted key order, float ties can move its p-value by 1/1000.
            union = list(set(reference.dropna().unique()) | set(current.dropna().unique()))
            case["set_order_sorted"] = union == sorted(union)
        cases.append(case)
    if any(t in ds["tests"] for t in ("psi", "kl_div", "jensenshannon")):
        for zero_fill in (True, False):
            ref_p, cur_p = get_binned_data(reference.copy(), current.copy(), column_type, 30, zero_fill)
            if not (column_type == ColumnType.Numerical and reference.nunique() > 20):
                # Per-value bins follow Python's set order; the same call gives the same order.
                order = np.argsort(np.array(get_unique_not_nan_values_list_from_series(current, reference), dtype=object))
                ref_p, cur_p = ref_p[order], cur_p[order]
            cases.append(dict(kind="binned", dataset=ds["id"], zero_fill=zero_fill, reference=ref_p, current=cur_p))

# numpy's sturges edges, bit for bit (float and int64 arrays).
edge_inputs = [
    np.array([0.0, 1.0]), np.array([5.0]), np.array([2.0, 2.0, 2.0]), np.arange(100, dtype=float),
    np.array([-3.3, 7.9, 0.1, 2.2, 5.5]), np.linspace(0, 1, 1000), rng.normal(0, 1, 777),
    np.array([1e-300, 2e-300, 5e-300]), np.array([1e15, 1e15 + 2, 1e15 + 7]), rng.uniform(-1e6, 1e6, 4096),
    np.array([0.1, 0.2, 0.3]), np.array([-0.0, 0.0, 1.0]),
    np.array([0, 1]), np.array([0, 1, 2]), np.array([3, 3, 3]), np.arange(21), np.arange(0, 1000, 7),
    rng.integers(0, 10, 5000), rng.integers(-50, 50, 300),
]
for values in edge_inputs:
    cases.append(dict(kind="edges", values_min=values.min(), values_max=values.max(), size=int(values.size),
                      integer=bool(np.issubdtype(values.dtype, np.integer)),
                      edges=np.histogram_bin_edges(values, bins="sturges")))

# numpy's sturges bin count as a function of the sample size, for several ranges:
# proves Math.log2 and numpy's log2 agree wherever the count could tip.
for ptp in (1.0, 0.1, 3.7, 1e-3, 12345.678, 99.0):
    breakpoints = []
    previous = None
    for size in range(1, 1 << 17):
        width = ptp / (np.log2(size) + 1.0)
        count = int(np.ceil(ptp / width))
        if count != previous:
            breakpoints.append([size, count])
            previous = count
    cases.append(dict(kind="sturges", ptp=ptp, breakpoints=breakpoints))

write_golden("stattests-b", cases, "tools/golden/stattests_b.py")
