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
    "jensenshannon": float(distance.jensenshannon(np.array(x) / sum(x), np.array(y) / sum(y), base=2)),
}, indent=1))
