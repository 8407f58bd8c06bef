#!/usr/bin/python3
"""Reference cumulative gains and lift for @lathe/ml's gainsTable, computed with pandas.

Run with Debian's Python (apt-get install -y python3-pandas python3-numpy):
    /usr/bin/python3 packages/ml/reference/generate_gains.py
It writes gains-reference.json next to this file: inputs and expected tables.

Definition (Linoff & Berry, "Data Mining Techniques"): the top share q of n rows is the first
ceil(q * n) rows after a stable descending sort on the score (ties keep input order);
capture = positives among them / all positives; lift = capture / (rows taken / n).
"""
import json
import math
import os

import numpy as np
import pandas as pd

FRACTIONS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]


def table(y, scores):
    frame = pd.DataFrame({"y": y, "score": scores})
    ranked = frame.sort_values("score", ascending=False, kind="mergesort")
    total = int(frame["y"].sum())
    n = len(frame)
    rows = []
    for q in FRACTIONS:
        taken = min(n, max(1, math.ceil(q * n - 1e-9)))
        top = ranked.head(taken)
        caught = int(top["y"].sum())
        capture = caught / total
        rows.append(
            {
                "fraction": q,
                "rows": taken,
                "positives": caught,
                "capture": capture,
                "precision": caught / taken,
                "lift": capture / (taken / n),
                "threshold": float(top["score"].iloc[-1]),
            }
        )
    return rows


def main():
    rng = np.random.RandomState(20261205)
    cases = []
    # An imbalanced churn-like target (about 11% positives) with an informative score.
    n = 997
    y = (rng.rand(n) < 0.11).astype(int)
    scores = 1 / (1 + np.exp(-(1.5 * y + rng.randn(n) - 2.2)))
    cases.append({"name": "imbalanced_informative", "y": y.tolist(), "scores": scores.round(6).tolist()})
    # Heavy ties: scores rounded to one decimal, so decile cuts fall inside runs of equal scores.
    n = 250
    y = (rng.rand(n) < 0.3).astype(int)
    scores = np.round(np.clip(0.3 * y + rng.rand(n) * 0.7, 0, 1), 1)
    cases.append({"name": "tied_scores", "y": y.tolist(), "scores": scores.tolist()})
    # A tiny input where ceil() matters for every fraction.
    cases.append({"name": "seven_rows", "y": [0, 1, 0, 0, 1, 0, 0], "scores": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]})
    for case in cases:
        case["expected"] = table(case["y"], case["scores"])
    out = {
        "generator": "packages/ml/reference/generate_gains.py",
        "versions": {"numpy": np.__version__, "pandas": pd.__version__},
        "fractions": FRACTIONS,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gains-reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
