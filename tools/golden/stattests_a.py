"""Golden cases for the numerical drift tests of part A: ks, wasserstein, ed,
anderson, cramer_von_mises, mannw, t_test.

Expected values come from Evidently 0.7.21's own stat-test functions
(evidently.legacy.calculations.stattests.*), called on the cleaned columns
(±inf → NaN, NaN dropped) exactly as its drift calculation passes them; the
statistic next to the score comes from the same scipy call Evidently makes.
A case whose call raises records the error instead.

Run: .venv/bin/python tools/golden/stattests_a.py
"""
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from evidently.legacy.calculations.stattests.anderson_darling_stattest import _anderson_darling, anderson_darling_test
from evidently.legacy.calculations.stattests.cramer_von_mises_stattest import _cramer_von_mises, _cvm_2samp, cramer_von_mises
from evidently.legacy.calculations.stattests.energy_distance import _energy_dist, energy_dist_test
from evidently.legacy.calculations.stattests.ks_stattest import _ks_stat_test, ks_stat_test
from evidently.legacy.calculations.stattests.mann_whitney_urank_stattest import _mannwhitneyu_rank, mann_whitney_u_stat_test
from evidently.legacy.calculations.stattests.t_test import _t_test2samp, t_test
from evidently.legacy.calculations.stattests.wasserstein_distance_norm import _wasserstein_distance_norm, wasserstein_stat_test
from evidently.legacy.core import ColumnType

from common import write_golden

TESTS = {
    "ks": (ks_stat_test, _ks_stat_test, lambda r, c: stats.ks_2samp(r, c).statistic),
    "wasserstein": (wasserstein_stat_test, _wasserstein_distance_norm, None),
    "ed": (energy_dist_test, _energy_dist, None),
    "anderson": (anderson_darling_test, _anderson_darling, lambda r, c: stats.anderson_ksamp([r, c])[0]),
    "cramer_von_mises": (cramer_von_mises, _cramer_von_mises, lambda r, c: _cvm_2samp(r, c).statistic),
    "mannw": (mann_whitney_u_stat_test, _mannwhitneyu_rank, lambda r, c: stats.mannwhitneyu(r, c, alternative="less").statistic),
    "t_test": (t_test, _t_test2samp, lambda r, c: stats.ttest_ind(r, c).statistic),
}

rng = np.random.default_rng(20240607)


def r3(x):
    """Three decimals keep the JSON small; the tests run on exactly these values."""
    return np.round(np.asarray(x, dtype=float), 3)


def clean(values):
    s = pd.Series(values, dtype=float).replace([np.inf, -np.inf], np.nan).dropna()
    return s.reset_index(drop=True)


def case(test, name, reference, current):
    stattest, func, statistic_fn = TESTS[test]
    ref, cur = clean(reference), clean(current)
    out = {"test": test, "name": name, "reference": list(reference), "current": list(current),
           "default_threshold": stattest.default_threshold}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score, drift = func(ref, cur, ColumnType.Numerical, stattest.default_threshold)
            out["score"] = float(score)
            out["drift"] = bool(drift)
            if statistic_fn is not None:
                out["statistic"] = float(statistic_fn(ref.to_numpy(), cur.to_numpy()))
    except Exception as error:  # the call Evidently makes fails on this input
        out["error"] = f"{type(error).__name__}: {error}"
        if test == "cramer_von_mises" and type(error).__name__ == "UFuncTypeError":
            # Evidently's copy of the exact CvM p-value breaks under numpy 2 when its
            # counts are unsigned ints; driftwatch returns scipy 1.17's (fixed) exact value.
            res = stats.cramervonmises_2samp(ref.to_numpy(), cur.to_numpy(), method="auto")
            out["scipy_score"] = float(res.pvalue)
            out["scipy_statistic"] = float(res.statistic)
    return out


def common_scenarios():
    n = rng.normal
    return [
        ("normal 30 vs 30, same", r3(n(0, 1, 30)), r3(n(0, 1, 30))),
        ("normal 50 vs 40, shift 0.5", r3(n(0, 1, 50)), r3(n(0.5, 1, 40))),
        ("normal 200 vs 150, scale 2", r3(n(0, 1, 200)), r3(n(0, 2, 150))),
        ("normal 1000 vs 800, shift 0.1", r3(n(0, 1, 1000)), r3(n(0.1, 1, 800))),
        ("uniform 5 vs 7", r3(rng.uniform(0, 1, 5)), r3(rng.uniform(0.3, 1.3, 7))),
        ("ties: rounded normal 100 vs 80", np.round(n(0, 3, 100)), np.round(n(0.5, 3, 80))),
        ("heavy ties: {0,1,2} 300 vs 200", rng.integers(0, 3, 300).astype(float), rng.integers(0, 3, 200).astype(float)),
        ("few unique values", rng.choice([1.5, 2.5, 3.5, 10.0], 60), rng.choice([1.5, 2.5, 3.5, 10.0], 45, p=[0.1, 0.2, 0.3, 0.4])),
        ("constant current", r3(n(5, 1, 40)), np.full(25, 5.0)),
        ("constant both, equal", np.full(20, 3.0), np.full(15, 3.0)),
        ("constant both, different", np.full(20, 3.0), np.full(15, 4.0)),
        ("NaN and inf in the input", np.concatenate([r3(n(0, 1, 40)), [np.nan, np.inf, -np.inf]]),
         np.concatenate([[np.nan], r3(n(0.3, 1, 30)), [np.inf]])),
        ("very different sizes 2000 vs 10", r3(n(0, 1, 2000)), r3(n(0.2, 1, 10))),
        ("large 5000 vs 3000, shift 0.05", r3(n(0, 1, 5000)), r3(n(0.05, 1, 3000))),
        ("exponential vs lognormal", r3(rng.exponential(1, 300)), r3(rng.lognormal(0, 0.5, 250))),
        ("tiny 3 vs 4", r3(n(0, 1, 3)), r3(n(1, 1, 4))),
        ("two values each", np.array([1.0, 2.0]), np.array([1.5, 3.0])),
        ("identical samples", r3(np.arange(25) * 0.37), r3(np.arange(25) * 0.37)),
        ("reference constant, current spread", np.full(30, 1.0), r3(n(1, 1, 30))),
    ]


def extra_scenarios():
    n = rng.normal
    ks = [
        ("exact, equal sizes 500 vs 500", r3(n(0, 1, 500)), r3(n(0.15, 1, 500))),
        ("exact, gcd 20: 1000 vs 780", r3(n(0, 1, 1000)), r3(n(0, 1.1, 780))),
        ("exact, large D tiny p: 400 vs 300", r3(n(0, 1, 400)), r3(n(1.5, 1, 300))),
        ("exact, max n = 10000", r3(n(0, 1, 10000)), r3(n(0.03, 1, 400))),
        ("asymptotic 12000 vs 500 (en 480)", r3(n(0, 1, 12000)), r3(n(0.05, 1, 500))),
        ("asymptotic 11000 vs 20 (en 20, n ≤ 140)", r3(n(0, 1, 11000)), r3(n(0.2, 1, 20))),
        ("asymptotic 10001 vs 60, shifted (smirnov branch)", r3(n(0, 1, 10001)), r3(n(1.0, 1, 60))),
        ("asymptotic 15000 vs 11000, same (Pelz-Good)", r3(n(0, 1, 15000)), r3(n(0, 1, 11000))),
        ("asymptotic 10500 vs 3000, small shift", r3(n(0, 1, 10500)), r3(n(0.04, 1, 3000))),
        ("asymptotic 10001 vs 5 (en 5)", r3(n(0, 1, 10001)), r3(n(0.5, 1, 5))),
        ("asymptotic 12000 vs 300, near-identical quantiles (Durbin matrix, n > 140)",
         r3(np.linspace(0, 1, 12000)), r3(np.linspace(0, 1, 300) * 0.98 + 0.02)),
        ("asymptotic 12000 vs 300, matched quantiles (D ≤ 1/n)", r3(np.linspace(0, 1, 12000)), r3(np.linspace(0, 1, 300))),
        ("asymptotic 12000 vs 500, shift 0.25 (smirnov, n > 140)", r3(n(0, 1, 12000)), r3(n(0.25, 1, 500))),
        ("exact 7 vs 3", r3(n(0, 1, 7)), r3(n(2, 1, 3))),
        ("exact 1 vs 1", np.array([1.0]), np.array([2.0])),
    ]
    cvm = [
        ("exact 8 vs 8 (float16 counts)", r3(n(0, 1, 8)), r3(n(0.8, 1, 8))),
        ("exact 10 vs 10 (float32 counts)", r3(n(0, 1, 10)), r3(n(0.5, 1, 10))),
        ("exact 20 vs 20", r3(n(0, 1, 20)), r3(n(0.7, 1, 20))),
        ("exact 6 vs 12 (float16, values > 2048)", r3(n(0, 1, 6)), r3(n(0.4, 1, 12))),
        ("exact 5 vs 7 (uint counts)", r3(n(0, 1, 5)), r3(n(1, 1, 7))),
        ("exact 13 vs 17 with ties", np.round(n(0, 2, 13)), np.round(n(0.5, 2, 17))),
        ("exact 19 vs 20", r3(n(0, 1, 19)), r3(n(0.2, 1, 20))),
        ("asymptotic 21 vs 15", r3(n(0, 1, 21)), r3(n(0.3, 1, 15))),
        ("asymptotic 300 vs 300 far apart", r3(n(0, 1, 300)), r3(n(0.6, 1, 300))),
        ("one value in current", r3(n(0, 1, 10)), np.array([0.5])),
    ]
    mannw = [
        ("exact 5 vs 7", r3(n(0, 1, 5)), r3(n(1, 1, 7))),
        ("exact 8 vs 30", r3(n(0.5, 1, 8)), r3(n(0, 1, 30))),
        ("exact 3 vs 200", r3(n(0, 1, 3)) + 0.0001, r3(n(0, 1, 200))),
        ("exact 6 vs 6 reversed", r3(n(1, 1, 6)), r3(n(0, 1, 6))),
        ("small with ties → asymptotic", np.array([1.0, 2.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0, 5.0, 6.0])),
        ("9 vs 9 → asymptotic", r3(n(0, 1, 9)), r3(n(0.5, 1, 9))),
    ]
    ttest = [
        ("one value in reference", np.array([1.0]), r3(n(0, 1, 10))),
        ("one value each", np.array([1.0]), np.array([2.0])),
        ("far apart, tiny p", r3(n(0, 1, 400)), r3(n(1, 1, 400))),
    ]
    anderson = [
        ("midrank with ties, clamp range", np.round(n(0, 1, 200) * 2), np.round(n(0.15, 1, 200) * 2)),
        ("three values total", np.array([1.0, 2.0]), np.array([3.0])),
        ("far apart, floored at 0.001", r3(n(0, 1, 100)), r3(n(2, 1, 100))),
    ]
    ed = [("scaled 1e6", r3(n(0, 1, 200)) * 1e6, r3(n(0.1, 1, 150)) * 1e6)]
    was = [("reference std below 0.001", r3(n(0, 0.0004, 50)), r3(n(0.001, 0.0004, 40)))]
    return {"ks": ks, "cramer_von_mises": cvm, "mannw": mannw, "t_test": ttest, "anderson": anderson,
            "ed": ed, "wasserstein": was}


def main():
    cases = []
    scenarios = common_scenarios()
    for test in TESTS:
        for name, reference, current in scenarios:
            cases.append(case(test, name, reference, current))
    for test, extra in extra_scenarios().items():
        for name, reference, current in extra:
            cases.append(case(test, name, reference, current))
    write_golden("stattests-a", cases, "tools/golden/stattests_a.py")


if __name__ == "__main__":
    main()
