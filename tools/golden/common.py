"""Shared helpers of the golden-file generators.

JSON has no NaN or infinity, and JavaScript's JSON.parse rejects Python's
`NaN`/`Infinity` tokens, so non-finite floats are written as the strings
"nan", "inf" and "-inf"; tests/golden/golden.ts turns them back into numbers.
Every generator is run by hand (`.venv/bin/python tools/golden/<name>.py`) and
its output committed: CI compares against the files, it never runs Python.
"""
import json
import math
import os
import platform

import numpy as np

GOLDEN_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden")


def encode(value):
    """Recursively turn numpy scalars/arrays and non-finite floats into JSON-safe values."""
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, np.ndarray):
        return [encode(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    if value is None or isinstance(value, (str, int)):
        return value
    if value is pd_na():
        return None
    raise TypeError(f"cannot encode {type(value)}: {value!r}")


def pd_na():
    try:
        import pandas as pd

        return pd.NA
    except ImportError:  # pragma: no cover
        return object()


def versions():
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "scikit-learn", "pandas", "evidently"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            pass
    return out


def write_golden(name, cases, generator):
    """Write tests/golden/<name>.json with the cases and the versions that made them."""
    path = os.path.join(GOLDEN_DIR, f"{name}.json")
    doc = {"generator": generator, "versions": versions(), "cases": encode(cases)}
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=None, separators=(",", ":"), allow_nan=False)
        fh.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(path)}")
