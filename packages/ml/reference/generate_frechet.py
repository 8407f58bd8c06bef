#!/usr/bin/python3
"""Reference Fréchet distances for @lathe/ml's frechetDistance, computed with numpy and scipy.

Run with Debian's Python (apt-get install -y python3-numpy python3-scipy):
    /usr/bin/python3 packages/ml/reference/generate_frechet.py
It writes frechet-reference.json next to this file: inputs (two feature samples per case, rounded
to 6 decimals, the expected value computed from the rounded inputs) and expected distances, one
case per line.

Definition (Heusel et al. 2017, the FID formula, as pytorch-fid computes it):
    d2 = |mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr(sqrtm(S1 @ S2))
with mu the column means and S the unbiased covariances (numpy.cov, divisor n - 1);
scipy.linalg.sqrtm's result is taken as its real part (its imaginary part is rounding here).
"""
import json
import os

import numpy as np
import scipy
from scipy import linalg


def frechet(a, b):
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2)
    if np.iscomplexobj(covmean):
        assert np.abs(covmean.imag).max() < 1e-6, "sqrtm: a large imaginary part"
        covmean = covmean.real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def main():
    rng = np.random.RandomState(20261206)
    cases = []
    # Independent standard normals against a shifted, rescaled sample: small d.
    a = rng.randn(200, 3)
    b = rng.randn(180, 3) * np.array([1.5, 0.7, 1.0]) + np.array([0.5, -0.2, 1.0])
    cases.append(("gaussians_d3", a, b))
    # Correlated features (a random mixing matrix each), d = 8.
    a = rng.randn(300, 8) @ rng.randn(8, 8)
    b = rng.randn(250, 8) @ rng.randn(8, 8) + 0.3
    cases.append(("correlated_d8", a, b))
    # Pixel-like features in [0, 1] with the evaluate stage's dimension (49 pooled cells + 3), two
    # close samples: the Tr term nearly cancels the traces, the regime that ranks generators.
    base = rng.rand(52, 52) * 0.02
    a = rng.rand(120, 52) @ base
    b = rng.rand(120, 52) @ (base * 1.05) + 0.01
    cases.append(("pixel_like_d52", a, b))
    out_cases = []
    for name, a, b in cases:
        a, b = np.round(a, 6), np.round(b, 6)
        out_cases.append({"name": name, "a": a.tolist(), "b": b.tolist(), "expected": frechet(a, b)})
    out = {
        "generator": "packages/ml/reference/generate_frechet.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
        "cases": out_cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frechet-reference.json")
    with open(path, "w") as f:
        # One case per line: the samples are inputs, not something a reader diffs number by number.
        f.write('{"generator": %s, "versions": %s, "cases": [\n' % (json.dumps(out["generator"]), json.dumps(out["versions"])))
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in out["cases"]))
        f.write("\n]}")
        f.write("\n")


if __name__ == "__main__":
    main()
