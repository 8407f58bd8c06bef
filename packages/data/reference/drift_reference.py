"""Reference values for src/drift/compute-drift.test.ts, computed with scipy.

Run: python3 packages/data/reference/drift_reference.py > packages/data/reference/drift-reference.json
"""
import json

import numpy as np
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(7)
a = np.round(rng.normal(0, 1, 300), 6)
b = np.round(rng.normal(0.3, 1.2, 250), 6)
ks = stats.ks_2samp(a, b)
# Lathe's p-value is Kolmogorov's limiting distribution at sqrt(nm/(n+m))·D (kstwobign), the
# classical large-sample approximation; scipy's own method="asymp" uses kstwo with the rounded
# effective n instead, which differs in the third decimal at these sizes.
ks_p = stats.kstwobign.sf(np.sqrt(len(a) * len(b) / (len(a) + len(b))) * ks.statistic)
# scipy's default (method="auto") is the exact distribution at these sizes.
ks_exact = stats.ks_2samp(a, b)
ks_small = stats.ks_2samp(a[:40], b[:25])
ks_equal = stats.ks_2samp(a[:60], b[:60])
ks_ties = stats.ks_2samp(np.round(a[:50]), np.round(b[:70]))
x = [120, 80, 50, 10]
y = [90, 100, 40, 30]
chi2 = stats.chi2_contingency(np.array([x, y]), correction=False)
# A strongly shifted table: its p-value (~1e-40) must keep its digits.
x_far = [500, 20, 300, 5, 175]
y_far = [100, 400, 90, 300, 110]
chi2_far = stats.chi2_contingency(np.array([x_far, y_far]), correction=False)


def psi(p_counts, q_counts):
    # Lathe's PSI: sum (q - p) ln(q / p) over bins, proportions floored at 1e-4.
    p = np.maximum(1e-4, np.asarray(p_counts, float) / np.sum(p_counts))
    q = np.maximum(1e-4, np.asarray(q_counts, float) / np.sum(q_counts))
    return float(np.sum((q - p) * np.log(q / p)))


# Numeric PSI bins: 9 inner edges at the reference's deciles (order statistic floor(k/10 (n-1)),
# numpy's method="lower"); a value v goes to the bin counting the edges strictly below it.
edges = np.quantile(a, np.arange(1, 10) / 10, method="lower")
bins_a = np.bincount(np.searchsorted(edges, a, side="left"), minlength=10)
bins_b = np.bincount(np.searchsorted(edges, b, side="left"), minlength=10)
print(json.dumps({
    "a": a.tolist(), "b": b.tolist(),
    "ks": {"statistic": float(ks.statistic), "pvalue": float(ks_p)},
    "ks_exact": [
        {"n": [len(a), len(b)], "rounded": False, "statistic": float(ks_exact.statistic), "pvalue": float(ks_exact.pvalue)},
        {"n": [40, 25], "rounded": False, "statistic": float(ks_small.statistic), "pvalue": float(ks_small.pvalue)},
        {"n": [60, 60], "rounded": False, "statistic": float(ks_equal.statistic), "pvalue": float(ks_equal.pvalue)},
        {"n": [50, 70], "rounded": True, "statistic": float(ks_ties.statistic), "pvalue": float(ks_ties.pvalue)},
    ],
    "wasserstein": float(stats.wasserstein_distance(a, b)),
    "counts": {"x": x, "y": y},
    "chi2": {"statistic": float(chi2[0]), "pvalue": float(chi2[1])},
    "chi2_far": {"x": x_far, "y": y_far, "statistic": float(chi2_far[0]), "pvalue": float(chi2_far[1])},
    "psi_counts": psi(x, y),
    "psi_numeric": {"bins_a": bins_a.tolist(), "bins_b": bins_b.tolist(), "psi": psi(bins_a, bins_b)},
    "jensenshannon": float(distance.jensenshannon(np.array(x) / sum(x), np.array(y) / sum(y), base=2)),
}, indent=1))
