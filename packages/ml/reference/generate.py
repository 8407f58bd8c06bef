#!/usr/bin/python3
"""Reference values for @lathe/ml's metrics, computed with scikit-learn on fixed inputs.

Run with Debian's Python (apt-get install -y python3-sklearn python3-numpy):
    /usr/bin/python3 packages/ml/reference/generate.py
It writes metrics-reference.json next to this file: the inputs AND the expected values, so the
TypeScript tests need neither Python nor the random generator. Versions are recorded in the file.

Where scikit-learn raises or returns NaN (one class present, no positive row, R² of one row),
the expected value is {"undefined": <code>}: the TypeScript functions return an UndefinedMetric.
MAP@k has no scikit-learn function: `apk` below is ml_metrics.average_precision.apk
(Ben Hamner, github.com/benhamner/Metrics), transcribed.
"""
import json
import math
import os
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    ndcg_score,
    precision_recall_curve,
    precision_recall_fscore_support,
    r2_score,
    roc_auc_score,
    roc_curve,
    top_k_accuracy_score,
)
from sklearn.calibration import calibration_curve
from sklearn.preprocessing import label_binarize

warnings.simplefilter("ignore")
rng = np.random.default_rng(20261128)


def floats(a):
    return [float(x) for x in np.asarray(a).ravel()]


def undefined(code):
    return {"undefined": code}


def guarded(fn, code):
    """scikit-learn's ValueError or NaN for an undefined metric becomes {"undefined": code}."""
    try:
        value = fn()
    except ValueError:
        return undefined(code)
    if isinstance(value, float) and math.isnan(value):
        return undefined(code)
    return value


# --- binary -----------------------------------------------------------------------------------

def binary_case(name, y, p, tolerance=1e-9):
    y = np.asarray(y)
    labels01 = [0, 1]
    y_pred = (np.asarray(p, dtype=np.float64) > 0.5).astype(int)
    single = len(np.unique(y)) < 2
    case = {
        "name": name,
        "tolerance": tolerance,
        "y_true": [int(v) for v in y],
        "y_score": floats(np.asarray(p, dtype=np.float64)),
        "y_pred": [int(v) for v in y_pred],
        "accuracy": float(accuracy_score(y, y_pred)),
        "confusion_matrix": confusion_matrix(y, y_pred, labels=labels01).tolist(),
        "log_loss": float(log_loss(y, p, labels=labels01)),
        "brier": float(brier_score_loss(y, p, pos_label=1)),
    }
    case["prf"] = prf(y, y_pred, labels01)
    if single:
        case["roc_auc"] = undefined("single_class")
        case["roc_curve"] = undefined("single_class")
    else:
        case["roc_auc"] = float(roc_auc_score(y, p))
        for drop in (True, False):
            fpr, tpr, thr = roc_curve(y, p, drop_intermediate=drop)
            case["roc_curve" if drop else "roc_curve_all"] = {"fpr": floats(fpr), "tpr": floats(tpr), "thresholds": floats(thr)}
    if y.sum() == 0:
        case["average_precision"] = undefined("no_positive")
        case["pr_curve"] = undefined("no_positive")
    else:
        case["average_precision"] = float(average_precision_score(y, p))
        precision, recall, thr = precision_recall_curve(y, p)
        case["pr_curve"] = {"precision": floats(precision), "recall": floats(recall), "thresholds": floats(thr)}
    prob_true, prob_pred = calibration_curve(y, np.asarray(p, dtype=np.float64), n_bins=10, strategy="uniform", pos_label=1)
    case["calibration_10"] = {"prob_true": floats(prob_true), "prob_pred": floats(prob_pred)}
    return case


def prf(y, y_pred, labels):
    out = {}
    p, r, f, s = precision_recall_fscore_support(y, y_pred, labels=labels, average=None)
    out["per_class"] = {"precision": floats(p), "recall": floats(r), "f1": floats(f), "support": [int(v) for v in s]}
    for avg in ("macro", "micro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(y, y_pred, labels=labels, average=avg)
        out[avg] = {"precision": float(p), "recall": float(r), "f1": float(f)}
    return out


binary_cases = []
n = 300
y = (rng.random(n) < 0.4).astype(int)
# Scores rounded to 2 decimals: about 100 distinct values for 300 rows, so many ties.
p = np.round(np.clip(0.35 * y + rng.random(n) * 0.65, 0, 1), 2)
binary_cases.append(binary_case("binary_ties", y, p))
y = (rng.random(200) < 0.3).astype(int)
p = np.clip(0.2 * y + rng.beta(2, 3, 200), 0, 1)
binary_cases.append(binary_case("binary_continuous", y, p))
binary_cases.append(binary_case("binary_all_equal_scores", [0, 1, 1, 0, 1, 0, 0, 1], [0.5] * 8))
binary_cases.append(binary_case("binary_perfect", [0, 0, 1, 1, 0, 1], [0.1, 0.2, 0.8, 0.9, 0.3, 0.7]))
binary_cases.append(binary_case("binary_edge_probabilities", [0, 1, 1, 0, 1], [0.0, 1.0, 0.0, 1.0, 0.6]))
binary_cases.append(binary_case("binary_single_class_negative", [0, 0, 0, 0], [0.1, 0.4, 0.4, 0.9]))
binary_cases.append(binary_case("binary_single_class_positive", [1, 1, 1], [0.2, 0.7, 0.7]))
# float32 model outputs (what tfjs returns): scikit-learn computes log_loss in float32 here.
y = (rng.random(150) < 0.5).astype(int)
p32 = np.clip(0.3 * y + rng.random(150) * 0.7, 0, 1).astype(np.float32)
c = binary_case("binary_float32", y, p32, tolerance=1e-6)
binary_cases.append(c)

# --- multiclass ---------------------------------------------------------------------------------

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def multiclass_case(name, y, proba, num_classes, tolerance=1e-9):
    y = np.asarray(y)
    labels = list(range(num_classes))
    y_pred = proba.argmax(axis=1)
    case = {
        "name": name,
        "tolerance": tolerance,
        "num_classes": num_classes,
        "y_true": [int(v) for v in y],
        "y_score": [floats(row) for row in proba],
        "y_pred": [int(v) for v in y_pred],
        "accuracy": float(accuracy_score(y, y_pred)),
        "confusion_matrix": confusion_matrix(y, y_pred, labels=labels).tolist(),
        "prf": prf(y, y_pred, labels),
        "log_loss": float(log_loss(y, proba, labels=labels)),
        # Brier (1950) multiclass: mean over rows of the squared distance to the one-hot label.
        "brier_multiclass": float(np.mean(np.sum((proba - label_binarize(y, classes=labels)) ** 2, axis=1))),
        "top_k": {str(k): float(top_k_accuracy_score(y, proba, k=k, labels=labels)) for k in range(1, num_classes)},
    }
    present = set(int(v) for v in y)
    if present != set(labels):
        for key in ("roc_auc_ovr_macro", "roc_auc_ovr_weighted", "average_precision_macro", "average_precision_weighted"):
            case[key] = undefined("single_class")
    else:
        case["roc_auc_ovr_macro"] = float(roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=labels))
        case["roc_auc_ovr_weighted"] = float(roc_auc_score(y, proba, multi_class="ovr", average="weighted", labels=labels))
        onehot = label_binarize(y, classes=labels)
        case["average_precision_macro"] = float(average_precision_score(onehot, proba, average="macro"))
        case["average_precision_weighted"] = float(average_precision_score(onehot, proba, average="weighted"))
    return case


multiclass_cases = []
y = rng.integers(0, 4, 250)
# Integer logits: many identical probability rows, so ties in every one-vs-rest column.
logits = rng.integers(0, 3, (250, 4)).astype(float)
logits[np.arange(250), y] += rng.integers(0, 3, 250)
multiclass_cases.append(multiclass_case("multiclass_ties", y, softmax(logits), 4))
y = rng.integers(0, 5, 300)
logits = rng.normal(size=(300, 5))
logits[np.arange(300), y] += 1.2
multiclass_cases.append(multiclass_case("multiclass_continuous", y, softmax(logits), 5))
y = rng.integers(0, 3, 40)  # class 3 of 4 never occurs
multiclass_cases.append(multiclass_case("multiclass_missing_class", y, softmax(rng.normal(size=(40, 4))), 4))

# --- regression ----------------------------------------------------------------------------------

def regression_case(name, y, y_hat):
    y = np.asarray(y, dtype=np.float64)
    y_hat = np.asarray(y_hat, dtype=np.float64)
    mse = float(mean_squared_error(y, y_hat))
    return {
        "name": name,
        "y_true": floats(y),
        "y_pred": floats(y_hat),
        "mse": mse,
        "rmse": float(mean_squared_error(y, y_hat, squared=False)),
        "mae": float(mean_absolute_error(y, y_hat)),
        "r2": guarded(lambda: float(r2_score(y, y_hat)), "too_few_samples") if len(y) >= 2 else undefined("too_few_samples"),
    }


y = rng.normal(3.5, 1.1, 500)
regression_cases = [
    regression_case("regression_random", y, y + rng.normal(0, 0.6, 500)),
    regression_case("regression_large_offset", 1e6 + y, 1e6 + y + rng.normal(0, 0.3, 500)),
    regression_case("regression_constant_perfect", [3, 3, 3, 3], [3, 3, 3, 3]),
    regression_case("regression_constant_imperfect", [3, 3, 3, 3], [3, 2, 4, 3]),
    regression_case("regression_single_row", [2.5], [2.0]),
]

# --- ranking --------------------------------------------------------------------------------------

def apk(actual, predicted, k=10):
    """ml_metrics.average_precision.apk, verbatim apart from names."""
    if len(predicted) > k:
        predicted = predicted[:k]
    score = 0.0
    num_hits = 0.0
    for i, p in enumerate(predicted):
        if p in actual and p not in predicted[:i]:
            num_hits += 1.0
            score += num_hits / (i + 1.0)
    if not actual:
        return 0.0
    return score / min(len(actual), k)


# Dense NDCG cases (users × items, graded relevance 0..3, scores with ties): sklearn.metrics.ndcg_score.
ndcg_cases = []
for idx, (rows, cols) in enumerate([(30, 12), (20, 8)]):
    y_true = rng.integers(0, 4, (rows, cols))
    y_true[0] = 0  # a user with no relevant item: sklearn scores it 0
    y_score = rng.integers(0, 5, (rows, cols)).astype(float)  # ties
    entry = {"name": f"ndcg_dense_{idx}", "y_true": y_true.tolist(), "y_score": y_score.tolist(), "ndcg": {}}
    for k in (1, 3, 5, None):
        entry["ndcg"][str(k)] = float(ndcg_score(y_true, y_score, k=k))
    ndcg_cases.append(entry)

# Ranked-list users: recommended items (distinct, length 10) and graded relevance of held-out items.
items = [f"i{j}" for j in range(40)]
users = []
for u in range(25):
    recommended = list(rng.choice(items, 10, replace=False))
    relevant_items = list(rng.choice(items, int(rng.integers(1, 7)), replace=False))
    gains = {it: int(rng.integers(1, 4)) for it in relevant_items}
    users.append({"recommended": recommended, "relevant": gains})
users.append({"recommended": list(rng.choice(items, 10, replace=False)), "relevant": {}})  # no relevant item
ranking = {"users": users, "catalogue_size": 50, "per_k": {}}
for k in (1, 5, 10):
    evaluated = [u for u in users if len(u["relevant"]) > 0]
    per_user_ndcg = []
    for u in evaluated:
        universe = sorted(set(u["recommended"]) | set(u["relevant"]))
        true_row = [u["relevant"].get(it, 0) for it in universe]
        score_row = [float(len(u["recommended"]) - u["recommended"].index(it)) if it in u["recommended"] else 0.0 for it in universe]
        per_user_ndcg.append(float(ndcg_score([true_row], [score_row], k=k)))
    hits = [len(set(u["recommended"][:k]) & set(u["relevant"])) for u in evaluated]
    shown = set(it for u in users for it in u["recommended"][:k])
    ranking["per_k"][str(k)] = {
        "ndcg_per_user": per_user_ndcg,
        "ndcg": float(np.mean(per_user_ndcg)),
        "precision": float(np.mean([h / k for h in hits])),
        "recall": float(np.mean([h / len(u["relevant"]) for h, u in zip(hits, evaluated)])),
        "hit_rate": float(np.mean([1.0 if h > 0 else 0.0 for h in hits])),
        "map": float(np.mean([apk(list(u["relevant"]), u["recommended"], k) for u in evaluated])),
        "coverage": len(shown) / ranking["catalogue_size"],
        "users_without_relevant": len(users) - len(evaluated),
    }

out = {
    "generated_by": "packages/ml/reference/generate.py",
    "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
    "binary": binary_cases,
    "multiclass": multiclass_cases,
    "regression": regression_cases,
    "ndcg_dense": ndcg_cases,
    "ranking_lists": ranking,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics-reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(f"wrote {path}")
