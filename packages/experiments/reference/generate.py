"""Reference values for packages/experiments/src/statistics.test.ts, computed with scipy.

Run: python3 packages/experiments/reference/generate.py > packages/experiments/reference/statistics-reference.json
"""
import json
import math

from scipy import stats

cases = {"proportions": [], "welch": [], "chisquare": []}

for (nc, cc, nt, ct) in [(1000, 100, 1000, 130), (5000, 250, 5100, 240), (200, 1, 180, 9), (12000, 3600, 11800, 3650)]:
    pc, pt = cc / nc, ct / nt
    pooled = (cc + ct) / (nc + nt)
    z = (pt - pc) / math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nt))
    p = 2 * stats.norm.sf(abs(z))
    se = math.sqrt(pc * (1 - pc) / nc + pt * (1 - pt) / nt)
    crit = stats.norm.ppf(0.975)
    cases["proportions"].append({
        "control": {"n": nc, "conversions": cc}, "treatment": {"n": nt, "conversions": ct},
        "z": z, "pValue": p, "ci": [pt - pc - crit * se, pt - pc + crit * se],
    })

for (xc, xt) in [
    ([12.0, 15.5, 9.25, 20.0, 0.0, 14.0, 11.0, 18.5], [13.0, 21.0, 19.5, 0.0, 22.0, 17.25, 16.0]),
    ([0.0] * 50 + [5.0] * 10 + [40.0] * 2, [0.0] * 45 + [5.0] * 12 + [45.0] * 4 + [80.0]),
]:
    nc, nt = len(xc), len(xt)
    sc, st = sum(xc), sum(xt)
    ssc, sst = sum(v * v for v in xc), sum(v * v for v in xt)
    res = stats.ttest_ind(xt, xc, equal_var=False)
    vc = stats.tvar(xc)
    vt = stats.tvar(xt)
    df = (vc / nc + vt / nt) ** 2 / ((vc / nc) ** 2 / (nc - 1) + (vt / nt) ** 2 / (nt - 1))
    cases["welch"].append({
        "control": {"n": nc, "sum": sc, "sumSquares": ssc}, "treatment": {"n": nt, "sum": st, "sumSquares": sst},
        "t": float(res.statistic), "pValue": float(res.pvalue), "df": df,
    })

for (observed, weights) in [([5030, 4970], [1, 1]), ([5300, 4700], [1, 1]), ([900, 2100, 7000], [1, 2, 7])]:
    total = sum(observed)
    expected = [total * w / sum(weights) for w in weights]
    res = stats.chisquare(observed, expected)
    cases["chisquare"].append({"observed": observed, "weights": weights, "statistic": float(res.statistic), "pValue": float(res.pvalue)})

print(json.dumps(cases, indent=2))
