"""Train the two sample models on data/flights and export them to ONNX.

    data/models/delay_regressor.onnx   predicts `delay` (minutes)
    data/models/delay_classifier.onnx  predicts "delayed": delay > 15 minutes
                                       (classes 0/1, positive label 1, with probabilities)

Each is a scikit-learn Pipeline: a ColumnTransformer that passes the numerical
columns through (trees need no scaling, and the integer values stay exact in
float32) and one-hot encodes origin/destination (unknown airports -> all zeros),
followed by a HistGradientBoosting model (100 trees of at most 31 leaves). skl2onnx converts it with ONE INPUT
PER COLUMN named like the column: float [None, 1] for numerical, string
[None, 1] for categorical. The classifier's ZipMap is disabled, so its outputs
are `label` (int64 [N]) and `probabilities` (float [N, 2]).

metadata_props of each model (read by processor/model/onnx-runner.ts):
    task            regression | classification
    feature_columns JSON list, the model's column order
    feature_types   JSON object column -> "numerical" | "categorical"
    target          the target column in the data (`delay`)
    classifier only: classes (JSON list of labels as text, the probability
    columns' order), positive_label, target_rule (how the label is derived).

Also writes tests/golden/model-predictions.json: 200 rows of X_test with
scikit-learn's predictions, so the TypeScript runner is checked against
scikit-learn itself. It also embeds (base64) a tiny test-only model of the
other input layout: a LinearRegression over the numerical columns with ONE
double input `features` [None, 4] and no metadata_props.

Run: .venv/bin/python data/scripts/train_models.py
"""
import base64
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pyarrow.parquet as pq
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, f1_score, log_loss, mean_absolute_error, r2_score, roc_auc_score
from sklearn.metrics import root_mean_squared_error
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from skl2onnx import to_onnx
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, StringTensorType

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA_DIR = os.path.join(ROOT, "data", "flights")
MODEL_DIR = os.path.join(ROOT, "data", "models")
sys.path.insert(0, os.path.join(ROOT, "tools", "golden"))
from common import write_golden  # noqa: E402

NUMERICAL = ["hour", "weekday", "month", "distance"]
CATEGORICAL = ["origin", "destination"]
FEATURES = NUMERICAL + CATEGORICAL
TARGET = "delay"
DELAY_THRESHOLD_MINUTES = 15
SEED = 42
BOOSTING = dict(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, early_stopping=False, random_state=SEED)
GOLDEN_ROWS = 200
# ai.onnx 17 with ai.onnx.ml 3: what onnxruntime 1.23 (Node) and 1.32 (Python) both run.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}


def allow_hist_gradient_boosting_export():
    """Work around skl2onnx 1.20 with onnx >= 1.19.

    The HistGradientBoosting converter passes `missing_go_to_left` to add_node
    as a Python bool (False for leaves, numpy uint8 for branches); onnx now
    refuses a bool in an ints attribute. Casting it to int is what the
    converter means (its own default is 0, "cannot use boolean in onnx").
    """
    import skl2onnx.common.tree_ensemble as tree_ensemble

    add_node = tree_ensemble.add_node

    def add_node_with_int_missing(*args, nodes_missing_value_tracks_true=0, **kwargs):
        return add_node(*args, nodes_missing_value_tracks_true=int(nodes_missing_value_tracks_true), **kwargs)

    tree_ensemble.add_node = add_node_with_int_missing


def read_split(split):
    x = pq.read_table(os.path.join(DATA_DIR, f"X_{split}.parquet")).to_pandas()
    y = pq.read_table(os.path.join(DATA_DIR, f"y_{split}.parquet")).to_pandas()[TARGET].to_numpy()
    return x[FEATURES], y


def delayed(delay):
    return (delay > DELAY_THRESHOLD_MINUTES).astype(np.int64)


def pipeline(model):
    columns = ColumnTransformer(
        [
            ("numerical", "passthrough", NUMERICAL),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float32),
                CATEGORICAL,
            ),
        ]
    )
    return Pipeline([("columns", columns), ("model", model)])


def onnx_inputs():
    return [(name, FloatTensorType([None, 1])) for name in NUMERICAL] + [
        (name, StringTensorType([None, 1])) for name in CATEGORICAL
    ]


def export(fitted, path, name, metadata, options=None):
    model = to_onnx(fitted, initial_types=onnx_inputs(), options=options, target_opset=TARGET_OPSET)
    model.graph.name = name
    model.doc_string = f"driftwatch sample model {name}, from data/scripts/train_models.py"
    base = {
        "feature_columns": json.dumps(FEATURES),
        "feature_types": json.dumps({**{c: "numerical" for c in NUMERICAL}, **{c: "categorical" for c in CATEGORICAL}}),
        "target": TARGET,
    }
    onnx.helper.set_model_props(model, {**base, **metadata})
    onnx.checker.check_model(model)
    with open(path, "wb") as fh:
        fh.write(model.SerializeToString())
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path) / 1024:.0f} KiB)")
    return path


def onnx_feeds(x):
    feeds = {name: x[name].to_numpy(dtype=np.float32).reshape(-1, 1) for name in NUMERICAL}
    feeds.update({name: x[name].to_numpy(dtype=object).astype(str).reshape(-1, 1) for name in CATEGORICAL})
    return feeds


def main():
    allow_hist_gradient_boosting_export()
    x_train, y_train = read_split("train")
    x_val, y_val = read_split("validation")
    x_test, _ = read_split("test")
    os.makedirs(MODEL_DIR, exist_ok=True)

    regressor = pipeline(
        HistGradientBoostingRegressor(**BOOSTING)
    ).fit(x_train, y_train)
    val_pred = regressor.predict(x_val)
    print(
        "regressor  validation:"
        f" MAE {mean_absolute_error(y_val, val_pred):.3f}"
        f"  RMSE {root_mean_squared_error(y_val, val_pred):.3f}"
        f"  R2 {r2_score(y_val, val_pred):.4f}"
        f"  (baseline MAE of the train mean {mean_absolute_error(y_val, np.full_like(val_pred, y_train.mean())):.3f})"
    )

    classifier = pipeline(
        HistGradientBoostingClassifier(**BOOSTING)
    ).fit(x_train, delayed(y_train))
    val_proba = classifier.predict_proba(x_val)[:, 1]
    val_label = classifier.predict(x_val)
    print(
        "classifier validation:"
        f" accuracy {accuracy_score(delayed(y_val), val_label):.4f}"
        f"  F1 {f1_score(delayed(y_val), val_label):.4f}"
        f"  ROC AUC {roc_auc_score(delayed(y_val), val_proba):.4f}"
        f"  log loss {log_loss(delayed(y_val), val_proba):.4f}"
        f"  (share delayed {delayed(y_val).mean():.3f})"
    )

    classes = [str(c) for c in classifier.classes_]
    regressor_path = export(
        regressor, os.path.join(MODEL_DIR, "delay_regressor.onnx"), "delay_regressor", {"task": "regression"}
    )
    classifier_path = export(
        classifier,
        os.path.join(MODEL_DIR, "delay_classifier.onnx"),
        "delay_classifier",
        {
            "task": "classification",
            "classes": json.dumps(classes),
            "positive_label": "1",
            "target_rule": f"1 when {TARGET} > {DELAY_THRESHOLD_MINUTES} else 0",
        },
        options={id(classifier): {"zipmap": False}},
    )

    # Golden rows: an evenly spaced pick over the whole test period.
    golden = x_test.iloc[np.linspace(0, len(x_test) - 1, GOLDEN_ROWS).astype(int)].reset_index(drop=True)
    reg_sk = regressor.predict(golden)
    proba_sk = classifier.predict_proba(golden)
    label_sk = classifier.predict(golden)

    # Sanity check before committing: onnxruntime (Python) agrees with scikit-learn.
    reg_onnx = ort.InferenceSession(regressor_path).run(None, onnx_feeds(golden))[0].ravel()
    label_onnx, proba_onnx = ort.InferenceSession(classifier_path).run(None, onnx_feeds(golden))
    print(
        "onnxruntime vs scikit-learn on the golden rows:"
        f" regressor max |diff| {np.abs(reg_onnx - reg_sk).max():.2e},"
        f" classifier max |p diff| {np.abs(proba_onnx - proba_sk).max():.2e},"
        f" label mismatches {(label_onnx.ravel() != label_sk).sum()}"
    )

    # Test-only: the one-matrix input layout, in double precision, without metadata.
    matrix = LinearRegression().fit(x_train[NUMERICAL].to_numpy(np.float64), y_train)
    matrix_onnx = to_onnx(
        matrix, initial_types=[("features", DoubleTensorType([None, len(NUMERICAL)]))], target_opset=TARGET_OPSET
    )
    matrix_pred = matrix.predict(golden[NUMERICAL].to_numpy(np.float64))

    cases = [
        {
            "features": {name: golden[name].tolist() for name in FEATURES},
            "regressor": {"model": "data/models/delay_regressor.onnx", "prediction": reg_sk},
            "classifier": {
                "model": "data/models/delay_classifier.onnx",
                "classes": classes,
                "positive_label": "1",
                "probabilities": proba_sk,
                "labels": [str(v) for v in label_sk],
            },
            "matrix_regressor": {
                "onnx_base64": base64.b64encode(matrix_onnx.SerializeToString()).decode("ascii"),
                "input_columns": NUMERICAL,
                "prediction": matrix_pred,
            },
        }
    ]
    write_golden("model-predictions", cases, "data/scripts/train_models.py")


if __name__ == "__main__":
    main()
