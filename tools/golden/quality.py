"""Golden cases of the quality metrics: regression, classification, data quality.

Run by hand: .venv/bin/python tools/golden/quality.py  → tests/golden/quality.json

Sources (each case says which in "source"):
- regression / classification: Evidently 0.7.21's own legacy metrics run through a
  legacy Report (RegressionQualityMetric; ClassificationQualityMetric +
  ClassificationConfusionMatrix), the code path of the new MAE/MAPE/... metrics.
  Every number is also recomputed independently with scikit-learn 1.9 / numpy and
  the two must agree to 1e-12, except where Evidently deliberately differs:
  * MAPE: Evidently divides by max(target, eps) (no abs) and replaces the term of
    rows with |target| <= eps by 1.0; the numpy cross-check applies the same
    formula, plain scikit-learn MAPE would not.
  * ROC AUC undefined (a class column with one value in the binarised target):
    Evidently/scikit-learn report NaN; our contract is null, so it is stored as null.
  Where Evidently raises (no usable rows), the expected value is the documented
  empty result (count 0, NaN) and source says "definition".
- data quality: pandas 2.3 (isna, to_numeric(errors="coerce"), between, count).
"""
import math
import os
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn import metrics as skm

sys.path.insert(0, os.path.dirname(__file__))
from common import write_golden  # noqa: E402

warnings.simplefilter("ignore")

from evidently.legacy.metrics import ClassificationConfusionMatrix  # noqa: E402
from evidently.legacy.metrics import ClassificationQualityMetric  # noqa: E402
from evidently.legacy.metrics import RegressionQualityMetric  # noqa: E402
from evidently.legacy.pipeline.column_mapping import ColumnMapping  # noqa: E402
from evidently.legacy.report import Report  # noqa: E402

EPS = np.finfo(np.float64).eps
rng = np.random.default_rng(20240521)


def same(a, b, label):
    if a is None or b is None:
        assert a is None and b is None, f"{label}: {a} vs {b}"
        return
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        assert math.isnan(a) and math.isnan(b), f"{label}: {a} vs {b}"
        return
    assert abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1e-300) or abs(a - b) < 1e-15, f"{label}: {a} vs {b}"


# ---------------------------------------------------------------- regression

def regression_independent(target, prediction):
    t = np.asarray(target, dtype=float)
    p = np.asarray(prediction, dtype=float)
    keep = np.isfinite(t) & np.isfinite(p)
    t, p = t[keep], p[keep]
    n = len(t)
    if n == 0:
        return {k: math.nan for k in ("mean_error", "error_std", "mae", "abs_error_std", "abs_error_max",
                                      "rmse", "r2", "mape")} | {"count": 0}
    err = p - t
    abs_err = np.abs(err)
    near_zero = ~(np.abs(t) > EPS)
    terms = np.where(near_zero, 1.0, abs_err / np.maximum(t, EPS))
    return {
        "count": n,
        "mean_error": float(np.mean(err)),
        "error_std": float(np.std(err, ddof=1)) if n > 1 else math.nan,
        "mae": float(skm.mean_absolute_error(t, p)),
        "abs_error_std": float(np.std(abs_err, ddof=1)) if n > 1 else math.nan,
        "abs_error_max": float(np.max(abs_err)),
        "rmse": float(skm.root_mean_squared_error(t, p)),
        "r2": float(skm.r2_score(t, p)),
        "mape": float(100.0 * np.mean(terms)),
    }


def regression_evidently(target, prediction):
    df = pd.DataFrame({"target": np.asarray(target, float), "prediction": np.asarray(prediction, float)})
    report = Report(metrics=[RegressionQualityMetric()])
    report.run(current_data=df, reference_data=None, column_mapping=ColumnMapping(task="regression"))
    cur = report.as_dict()["metrics"][0]["result"]["current"]
    return {
        "mean_error": cur["mean_error"], "error_std": cur["error_std"], "mae": cur["mean_abs_error"],
        "abs_error_std": cur["abs_error_std"], "abs_error_max": cur["abs_error_max"], "rmse": cur["rmse"],
        "r2": cur["r2_score"], "mape": cur["mean_abs_perc_error"],
    }


def regression_case(name, target, prediction):
    expected = regression_independent(target, prediction)
    source = "evidently 0.7.21 RegressionQualityMetric; cross-checked with scikit-learn/numpy"
    if expected["count"] == 0:
        source = "definition (Evidently raises on no rows): count 0, NaN metrics"
    else:
        ev = regression_evidently(target, prediction)
        for key, value in ev.items():
            same(value, expected[key], f"{name}.{key}")
            expected[key] = float(value)
    return {"kind": "regression", "name": name, "input": {"target": list(map(float, target)),
            "prediction": list(map(float, prediction))}, "expected": expected, "source": source}


def regression_cases():
    nan, inf = math.nan, math.inf
    t = rng.normal(50, 10, 200)
    cases = [
        regression_case("simple positive targets", [3, 5, 2.5, 7, 10], [2.5, 5, 4, 8, 9]),
        regression_case("zeros in target (term 1.0)", [0, 2, 0, 4, 5], [1, 2.5, -1, 3, 5]),
        regression_case("negative targets (divide by eps)", [-2, 3, -0.5, 4, 1], [-1.5, 2.5, 0, 4.5, 1]),
        regression_case("near-zero targets within eps", [1e-17, -1e-17, 2.3e-16, 2, 3], [0.5, 0.1, 1, 2.2, 2.9]),
        regression_case("NaN and inf rows dropped", [1, nan, 3, 4, inf, 6, 7], [1.2, 2, nan, 3.5, 5, -inf, 7.5]),
        regression_case("constant target, perfect", [2, 2, 2, 2], [2, 2, 2, 2]),
        regression_case("constant target, imperfect", [2, 2, 2, 2], [2, 3, 2, 1]),
        regression_case("single row", [4], [5]),
        regression_case("two rows", [1, 3], [2, 2]),
        regression_case("no usable rows", [nan, 1, inf], [1, nan, 2]),
        regression_case("empty", [], []),
        regression_case("random normal 200 rows", t, t + rng.normal(0.5, 3, 200)),
        regression_case("large magnitudes", [1e9, 2e9, 3.5e9, 4e9], [1.1e9, 1.9e9, 3.6e9, 3.7e9]),
        regression_case("mixed signs random", rng.normal(0, 1, 60), rng.normal(0, 1, 60)),
    ]
    return cases


# ------------------------------------------------------------ classification

def to_key(label):
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return str(int(label))
    return str(label)


def classification_evidently(df, prediction, pos_label, threshold):
    mapping = ColumnMapping(target="target", prediction=prediction, pos_label=pos_label, task="classification")
    report = Report(metrics=[ClassificationQualityMetric(probas_threshold=threshold),
                             ClassificationConfusionMatrix(probas_threshold=threshold)])
    report.run(current_data=df, reference_data=None, column_mapping=mapping)
    out = report.as_dict()["metrics"]
    cur = out[0]["result"]["current"]
    matrix = out[1]["result"]["current_matrix"]
    roc = cur["roc_auc"]
    return {
        "accuracy": cur["accuracy"], "precision": cur["precision"], "recall": cur["recall"], "f1": cur["f1"],
        "roc_auc": None if roc is None or math.isnan(roc) else roc,
        "log_loss": cur["log_loss"],
        "labels": [to_key(x) for x in matrix["labels"]],
        "confusion_matrix": matrix["values"],
    }


def classification_independent(target, predicted, classes, columns, pos_label, numeric):
    """scikit-learn on the kept rows; classes/columns only for probability models."""
    labels = classes if classes is not None else sorted(set(target) | set(predicted))
    if numeric:
        labels = sorted(labels, key=float)
    else:
        labels = sorted(labels)
    if len(labels) == 2:
        kw = {"pos_label": pos_label, "zero_division": 0}
    else:
        kw = {"average": "macro", "zero_division": 0}
    out = {
        "accuracy": skm.accuracy_score(target, predicted),
        "precision": skm.precision_score(target, predicted, **kw),
        "recall": skm.recall_score(target, predicted, **kw),
        "f1": skm.f1_score(target, predicted, **kw),
        "labels": labels,
        "confusion_matrix": skm.confusion_matrix(target, predicted, labels=labels).tolist(),
        "roc_auc": None, "log_loss": None,
    }
    if columns is not None:
        y = (np.asarray(target).reshape(-1, 1) == np.asarray(classes)).astype(int)
        p = np.column_stack(columns)
        aucs = [skm.roc_auc_score(y[:, j], p[:, j]) if len(set(y[:, j])) == 2 else math.nan for j in range(len(classes))]
        out["roc_auc"] = None if any(math.isnan(a) for a in aucs) else float(np.mean(aucs))
        out["log_loss"] = skm.log_loss(y, p)
    return out


def classification_case(name, target, *, predicted_labels=None, positive_probability=None, probabilities=None,
                        classes=None, positive_label=1, negative_label=0, threshold=None, numeric=True):
    """Builds the Evidently frame, runs it, and cross-checks with scikit-learn on kept rows."""
    t_threshold = 0.5 if threshold is None else threshold
    missing = lambda v: v is None or (isinstance(v, float) and not math.isfinite(v))  # noqa: E731
    n = len(target)
    inp = {"target": target, "positive_label": positive_label}
    if threshold is not None:
        inp["threshold"] = threshold
    if predicted_labels is not None:
        inp["predicted_labels"] = predicted_labels
        df = pd.DataFrame({"target": pd.Series(target, dtype=object if not numeric else None),
                           "prediction": pd.Series(predicted_labels, dtype=object if not numeric else None)})
        keep = [i for i in range(n) if not missing(target[i]) and not missing(predicted_labels[i])]
        kt = [to_key(target[i]) for i in keep]
        kp = [to_key(predicted_labels[i]) for i in keep]
        ind = classification_independent(kt, kp, None, None, to_key(positive_label), numeric)
        prediction = "prediction"
    else:
        if positive_probability is not None:
            inp["positive_probability"] = positive_probability
            inp["negative_label"] = negative_label
            cls = [positive_label, negative_label]
            matrix = [[p, 1.0 - p] for p in positive_probability]
            df = pd.DataFrame({"target": pd.Series(target, dtype=object if not numeric else None),
                               "prediction": positive_probability})
            prediction = "prediction"
        else:
            inp["probabilities"] = [v for row in probabilities for v in row]
            inp["classes"] = classes
            cls = classes
            matrix = probabilities
            df = pd.DataFrame({"target": pd.Series(target, dtype=object if not numeric else None)})
            for j, c in enumerate(classes):
                df[c] = [row[j] for row in probabilities]
            prediction = list(classes)
        keep = [i for i in range(n) if not missing(target[i]) and all(math.isfinite(v) for v in matrix[i])]
        kt = [to_key(target[i]) for i in keep]
        keys = [to_key(c) for c in cls]
        columns = [np.array([matrix[i][j] for i in keep]) for j in range(len(cls))]
        if len(cls) == 2:
            pos = keys.index(to_key(positive_label))
            kp = [keys[pos] if columns[pos][r] >= t_threshold else keys[1 - pos] for r in range(len(keep))]
        else:
            kp = [keys[int(np.argmax([columns[j][r] for j in range(len(cls))]))] for r in range(len(keep))]
        ind = classification_independent(kt, kp, keys, columns, to_key(positive_label), numeric)
    ev = classification_evidently(df, prediction, positive_label, threshold)
    for key in ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"):
        same(ev[key], ind[key], f"{name}.{key}")
    assert ev["labels"] == ind["labels"], f"{name}: labels {ev['labels']} vs {ind['labels']}"
    assert ev["confusion_matrix"] == ind["confusion_matrix"], f"{name}: confusion matrix"
    ev["count"] = len(keep)
    return {"kind": "classification", "name": name, "input": inp, "expected": ev,
            "source": "evidently 0.7.21 ClassificationQualityMetric + ClassificationConfusionMatrix; "
                      "cross-checked with scikit-learn 1.9" + ("; NaN ROC AUC stored as null"
                                                             if ev["roc_auc"] is None and ind["log_loss"] is not None
                                                             else "")}


def random_probabilities(rows, k):
    raw = rng.dirichlet(np.ones(k), rows)
    return [[float(v) for v in row] for row in raw]


def classification_cases():
    yb = [int(v) for v in rng.integers(0, 2, 60)]
    pb = [float(np.clip(0.35 * y + rng.uniform(0, 0.65), 0, 1)) for y in yb]
    pb_half = [0.5, 0.5, 0.2, 0.8, 0.5, 0.1, 0.9, 0.5, 0.4, 0.6]
    y_half = [1, 0, 0, 1, 1, 0, 1, 0, 1, 0]
    y3 = [str(v) for v in rng.choice(["cat", "dog", "eel"], 90)]
    p3 = random_probabilities(90, 3)
    for r, y in enumerate(y3):  # make the model better than chance
        p3[r][["cat", "dog", "eel"].index(y)] += 0.6
        s = sum(p3[r])
        p3[r] = [v / s for v in p3[r]]
    y4 = [int(v) for v in rng.integers(0, 4, 300)]
    p4_labels = [y if rng.uniform() < 0.7 else int(rng.integers(0, 4)) for y in y4]
    return [
        classification_case("binary labels ints", [1, 0, 1, 1, 0, 0, 1, 0], predicted_labels=[1, 0, 0, 1, 1, 0, 1, 1]),
        classification_case("binary labels strings pos yes", ["yes", "no", "yes", "no", "no", "yes"],
                            predicted_labels=["yes", "yes", "no", "no", "no", "yes"], positive_label="yes",
                            numeric=False),
        classification_case("binary labels no predicted positive (zero division)", [1, 0, 1, 0],
                            predicted_labels=[0, 0, 0, 0]),
        classification_case("binary labels missing rows", ["1", None, "0", "1", "0", "1"],
                            predicted_labels=["1", "0", None, "0", "0", "1"], positive_label="1", numeric=False),
        classification_case("binary probabilities random 60", yb, positive_probability=pb),
        classification_case("binary probabilities exact 0.5", y_half, positive_probability=pb_half),
        classification_case("binary probabilities threshold 0.3", yb, positive_probability=pb, threshold=0.3),
        classification_case("binary probabilities threshold 0.7", yb, positive_probability=pb, threshold=0.7),
        classification_case("binary probabilities 0 and 1 (log loss clipping)", [1, 0, 1, 0, 1],
                            positive_probability=[1.0, 0.0, 0.0, 1.0, 0.7]),
        classification_case("binary probabilities tied scores", [1, 0, 1, 0, 1, 0, 0, 1],
                            positive_probability=[0.7, 0.7, 0.3, 0.3, 0.7, 0.2, 0.7, 0.9]),
        classification_case("binary probabilities NaN rows, string target", ["1", "0", "1", None, "0", "1", "0"],
                            positive_probability=[0.8, 0.3, math.nan, 0.6, 0.55, 0.45, 0.1], positive_label="1",
                            negative_label="0", numeric=False),
        classification_case("binary probabilities single class target (AUC null)", [1, 1, 1, 1],
                            positive_probability=[0.9, 0.4, 0.6, 0.8]),
        classification_case("binary two columns string classes", ["no", "yes", "yes", "no", "yes", "no"],
                            probabilities=[[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.5, 0.5], [0.1, 0.9], [0.7, 0.3]],
                            classes=["no", "yes"], positive_label="yes", numeric=False),
        classification_case("multiclass labels", ["a", "b", "c", "a", "b", "c", "a", "c"],
                            predicted_labels=["a", "c", "c", "a", "b", "a", "b", "c"], numeric=False),
        classification_case("multiclass labels class absent from predictions", ["a", "b", "c", "a", "b", "c"],
                            predicted_labels=["a", "a", "c", "a", "c", "c"], numeric=False),
        classification_case("multiclass labels class only in predictions", ["a", "b", "a", "b", "a"],
                            predicted_labels=["a", "b", "c", "c", "b"], numeric=False),
        classification_case("multiclass int labels numeric sort", [10, 2, 1, 10, 2, 1, 10],
                            predicted_labels=[10, 1, 1, 2, 2, 1, 10]),
        classification_case("multiclass labels 4 classes 300 rows", y4, predicted_labels=p4_labels),
        classification_case("single class labels", [1, 1, 1], predicted_labels=[1, 1, 1]),
        classification_case("single class labels, all negative", [0, 0, 0, 0], predicted_labels=[0, 0, 0, 0]),
        classification_case("multiclass probabilities 90 rows", y3, probabilities=p3, classes=["cat", "dog", "eel"],
                            numeric=False),
        classification_case("multiclass probabilities class absent from target (AUC null)", ["a", "b", "a", "b"],
                            probabilities=[[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.4, 0.35, 0.25], [0.1, 0.3, 0.6]],
                            classes=["a", "b", "c"], numeric=False),
        classification_case("multiclass probabilities class absent from predictions", ["a", "b", "c", "a", "b", "c"],
                            probabilities=[[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.45, 0.15, 0.4], [0.6, 0.3, 0.1],
                                           [0.3, 0.6, 0.1], [0.2, 0.6, 0.2]],
                            classes=["a", "b", "c"], numeric=False),
        classification_case("multiclass probabilities argmax ties", ["a", "b", "c", "c"],
                            probabilities=[[0.4, 0.4, 0.2], [0.3, 0.35, 0.35], [0.25, 0.25, 0.5], [0.5, 0.25, 0.25]],
                            classes=["a", "b", "c"], numeric=False),
        classification_case("multiclass probabilities unsorted classes", ["z", "x", "y", "x", "z"],
                            probabilities=[[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3],
                                           [0.2, 0.3, 0.5]],
                            classes=["z", "x", "y"], numeric=False),
    ]


# -------------------------------------------------------------- data quality

def column_quality(name, ctype, current, reference):
    cur = pd.Series(current, dtype=object)
    missing = cur.isna() | cur.map(lambda v: isinstance(v, float) and math.isnan(v))
    out = {"column": name, "missing_count": int(missing.sum()), "missing_share": float(missing.sum() / len(cur))
           if len(cur) else math.nan}
    if ctype == "numerical":
        parsed = pd.to_numeric(cur, errors="coerce")
        violations = (~missing) & parsed.isna()
        ref = pd.to_numeric(pd.Series(reference, dtype=object)).replace([np.inf, -np.inf], np.nan).dropna()
        present = parsed.count()
        inside = parsed.between(ref.min(), ref.max()).sum()
        out_count = int(present - inside)
        out |= {"out_of_range_count": out_count,
                "out_of_range_share": float(np.float64(out_count) / np.float64(present)) if present else math.nan,
                "unseen_count": 0, "unseen_values": [], "type_violations": int(violations.sum())}
    else:
        known = set(pd.Series(reference, dtype=object).dropna())
        present = cur[~missing]
        unseen = present[~present.isin(known)]
        out |= {"out_of_range_count": None, "out_of_range_share": None, "unseen_count": int(len(unseen)),
                "unseen_values": sorted(set(unseen))[:20], "type_violations": 0}
    return out, missing


def data_quality_case(name, columns):
    """columns: list of (name, type, kind, current, reference)."""
    results, masks = [], []
    for cname, ctype, kind, current, reference in columns:
        res, missing = column_quality(cname, ctype, current, reference)
        results.append(res)
        masks.append(missing.to_numpy(dtype=bool))
    rows = len(columns[0][3])
    any_missing = np.logical_or.reduce(masks) if rows else np.zeros(0, bool)
    rwm = int(any_missing.sum())
    expected = {"rows": rows, "rows_with_missing": rwm, "rows_with_missing_share": rwm / rows if rows else math.nan,
                "columns": results}
    inp = [{"name": c, "type": t, "kind": k, "current": cur, "reference": ref} for c, t, k, cur, ref in columns]
    return {"kind": "data_quality", "name": name, "input": {"columns": inp}, "expected": expected,
            "source": "pandas 2.3 (isna, to_numeric coerce, between, count)"}


def data_quality_cases():
    nan = math.nan
    many_unseen = [f"u{i:02d}" for i in range(25)] + ["a", None]
    big_ref = [float(v) for v in rng.normal(0, 1, 500)]
    big_cur = [float(v) if rng.uniform() > 0.05 else nan for v in rng.normal(0.3, 1.3, 400)]
    return [
        data_quality_case("numbers with missing and out of range", [
            ("x", "numerical", "number", [1.0, nan, 5.0, -3.0, 2.5, nan, 10.0], [0.0, 1.0, 2.0, 6.0]),
        ]),
        data_quality_case("inclusive bounds and inf", [
            ("x", "numerical", "number", [0.0, 6.0, math.inf, -math.inf, 3.0], [0.0, 6.0, math.inf, 2.0]),
        ]),
        data_quality_case("categorical unseen and missing", [
            ("c", "categorical", "string", ["a", "b", None, "z", "z", "y", "a", None], ["a", "b", "c", None]),
        ]),
        data_quality_case("unseen list capped at 20", [
            ("c", "categorical", "string", many_unseen, ["a", "b"]),
        ]),
        data_quality_case("text in a numerical column", [
            ("x", "numerical", "string", ["1.5", "abc", None, "3", "", "7e1", " 2 ", "1,5", "-4"],
             [0.0, 5.0]),
        ]),
        data_quality_case("several columns, rows with any missing", [
            ("x", "numerical", "number", [1.0, nan, 3.0, 4.0, nan, 6.0], [1.0, 5.0]),
            ("c", "categorical", "string", ["a", "b", None, "a", None, "q"], ["a", "b"]),
            ("s", "numerical", "string", ["1", "2", "3", None, "x", "4"], [2.0, 3.0]),
        ]),
        data_quality_case("all missing column", [
            ("x", "numerical", "number", [nan, nan, nan], [1.0, 2.0]),
            ("c", "categorical", "string", ["a", "a", "b"], ["a", "b"]),
        ]),
        data_quality_case("random 400 rows", [
            ("x", "numerical", "number", big_cur, big_ref),
        ]),
        data_quality_case("empty window", [
            ("x", "numerical", "number", [], [1.0, 2.0]),
            ("c", "categorical", "string", [], ["a"]),
        ]),
    ]


def number_parsing_case():
    """How pandas.to_numeric(errors="coerce") reads text: the rule of type violations."""
    texts = [" 3 ", "1.", ".5", "-Infinity", "INF", "1e5", "+3", "1_000", "0x10", "", "abc", "1,5", "-.5e-3",
             " ", "infinity", "+inf", "1e", "None", "null", "true", "12abc", "--1", "1e+2", "0"]
    parsed = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce")
    return {"kind": "number_parsing", "name": "pandas to_numeric coerce", "input": {"texts": texts},
            "expected": {"values": [float(v) for v in parsed]}, "source": "pandas 2.3 to_numeric(errors='coerce')"}


if __name__ == "__main__":
    all_cases = regression_cases() + classification_cases() + data_quality_cases() + [number_parsing_case()]
    write_golden("quality", all_cases, "tools/golden/quality.py")
