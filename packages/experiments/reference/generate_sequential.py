"""Reference values for the sequential / Bayesian / planning modules of packages/experiments/src
(special-functions, normal-distribution, msprt, sequential-srm, beta-binomial, normal-posterior, cuped,
multiple-testing, sample-size), computed with Debian's python3 scipy, statsmodels and numpy.

Run: python3 packages/experiments/reference/generate_sequential.py > packages/experiments/reference/sequential-reference.json

(Use the system interpreter, /usr/bin/python3, where a pyenv or virtualenv python3 without statsmodels
shadows it.) Generated with scipy 1.10.1, statsmodels 0.13.5, numpy 1.24.2; the output is deterministic
(seeded data). Where a value has no scipy function (the mSPRT, the SRM Bayes factor) it is computed by
the same hand formula in numpy and, where possible, checked here by an independent route (brentq on the
likelihood ratio, Evan Miller's sum in 30-digit mpmath against quadrature, statsmodels OLS against the
numpy slope): the asserts below fail the generator rather than write a wrong reference. mpmath (a scipy
dependency) also supplies 40-digit values where scipy's own special functions fall short of double
precision (betaln with one large argument, betainc with parameters in the thousands).
"""
import json
import math
import warnings

import mpmath
import numpy as np
import statsmodels.api as sm
from scipy import integrate, optimize, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower

mpmath.mp.dps = 40
# Boost's beta pdf (behind scipy.stats.beta.pdf) warns of a division by zero inside ibeta_derivative at
# subnormal x, yet returns a finite value there; the warning is noise on stderr.
warnings.filterwarnings("ignore", message="divide by zero encountered in _beta_pdf")
out = {}

# --- special functions -------------------------------------------------------------------------
out["logGamma"] = [
    {"x": x, "value": float(special.gammaln(x))}
    for x in [1e-8, 0.1, 0.5, 0.999, 1.5, 2.5, 3.7, 9.99, 10.01, 25.5, 171.3, 1000.5, 12345.678,
              1e6 + 0.5, 3.2e7, -0.5, -2.3, 1.0000001, 1.9999]
]
# scipy's betaln subtracts log-gammas, which cancels for one large and one small argument; mpmath at 40
# digits is the tie-breaker (the test holds our logBeta to 1e-14 of it and 1e-11 of scipy).
out["logBeta"] = [
    {"a": a, "b": b, "scipy": float(special.betaln(a, b)), "exact": float(mpmath.log(mpmath.beta(a, b)))}
    for a, b in [(0.5, 0.5), (1, 1), (2.5, 7), (9.5, 10.5), (10, 10), (11, 300), (3, 1e5), (5001, 95000),
                 (1e6, 2e6), (0.1, 40), (1, 100001), (12.25, 9.75)]
]


def exact_incomplete_beta(x, a, b):
    """I_x(a, b) to 40 digits: mpmath's hypergeometric series, or for large integer a, b (where that
    series fails to converge) the binomial tail P(Binomial(a + b − 1, x) ≥ a) by term recurrence."""
    if float(a).is_integer() and float(b).is_integer() and a + b > 1000:
        n, a = int(a + b - 1), int(a)
        x = mpmath.mpf(x)
        ratio = x / (1 - x)
        term = mpmath.exp(mpmath.loggamma(n + 1) - mpmath.loggamma(a + 1) - mpmath.loggamma(n - a + 1)
                          + a * mpmath.log(x) + (n - a) * mpmath.log1p(-x))
        total = mpmath.mpf(0)
        for j in range(a, n + 1):
            total += term
            term *= ratio * (n - j) / (j + 1)
        return float(total)
    return float(mpmath.betainc(a, b, 0, x, regularized=True))


# scipy 1.10's betainc (Cephes incbet) is good to ≈ 1e-10 relative only for parameters in the
# thousands; the 40-digit value is the tie-breaker there too.
out["incompleteBeta"] = [
    {"x": x, "a": a, "b": b, "value": float(special.betainc(a, b, x)), "exact": exact_incomplete_beta(x, a, b)}
    for x, a, b in [(0.3, 2, 3), (0.5, 0.5, 0.5), (0.01, 0.5, 0.5), (0.999, 0.5, 2.5), (0.2, 1, 1),
                    (0.7, 10, 3), (0.05, 5001, 95000), (0.0502, 5001, 95000), (0.049, 5001, 95000),
                    (1e-5, 1, 100001), (0.3, 300, 700), (0.35, 300, 700), (0.9, 0.1, 0.1), (0.5, 1e4, 1e4),
                    (0.001, 2, 2000), (0.6, 50.5, 30.25)]
]
out["normal"] = {
    "cdf": [{"z": z, "value": float(stats.norm.cdf(z))}
            for z in [-37, -20, -8, -5, -3, -1.7320508, -1.5, -0.3, 0, 1e-5, 0.2, 1, 1.7320509, 1.96, 3, 6]],
    "quantile": [{"p": p, "value": float(stats.norm.ppf(p))}
                 for p in [1e-300, 1e-20, 1e-10, 1e-6, 0.001, 0.025, 0.2, 0.5, 0.8, 0.9, 0.975, 0.999,
                           1 - 1e-9]],
}


# --- mSPRT ---------------------------------------------------------------------------------------
def log_lambda(d, v, tau2):
    return 0.5 * math.log(v / (v + tau2)) + tau2 * d * d / (2 * v * (v + tau2))


def cs_brentq(est, v, tau2, alpha):
    """Endpoints of {θ0 : Λ(θ0) < 1/α}, found numerically."""
    target = math.log(1 / alpha)

    def f(theta0):
        return log_lambda(est - theta0, v, tau2) - target

    step = math.sqrt(v)
    while f(est + step) < 0:
        step *= 2
    upper = optimize.brentq(f, est, est + step, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    lower = optimize.brentq(f, est - step, est, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    return lower, upper


out["msprt"] = []
for est, v, tau2, alpha, null in [
    (0.012, 0.00004, 0.0001, 0.05, 0.0),
    (0.002, 0.00004, 0.0001, 0.05, 0.0),
    (-0.03, 0.0001, 0.0004, 0.01, 0.0),
    (1.7, 0.25, 1.0, 0.05, 0.5),
    (0.0, 1e-6, 1e-4, 0.05, 0.0),
    (3.2, 0.04, 0.01, 0.1, 0.0),
    (0.0005, 1e-9, 1e-6, 0.001, 0.0),
    (12.0, 30.0, 4.0, 0.2, 0.0),
]:
    llr = log_lambda(est - null, v, tau2)
    half = math.sqrt(v * (v + tau2) / tau2 * (2 * math.log(1 / alpha) + math.log((v + tau2) / v)))
    lower, upper = cs_brentq(est, v, tau2, alpha)
    assert abs(lower - (est - half)) <= 1e-12 * max(1, abs(est) + half), (lower, est - half)
    assert abs(upper - (est + half)) <= 1e-12 * max(1, abs(est) + half), (upper, est + half)
    out["msprt"].append({
        "estimate": est, "variance": v, "mixingVariance": tau2, "alpha": alpha, "nullValue": null,
        "logLikelihoodRatio": llr, "pValue": min(1.0, math.exp(-llr)),
        "closedFormInterval": [est - half, est + half], "interval": [lower, upper],
    })

out["nonInferiority"] = []
for est, v, tau2, alpha, margin, direction in [
    (-0.001, 0.00001, 0.0001, 0.05, 0.01, "higher_is_better"),
    (-0.03, 0.00001, 0.0001, 0.05, 0.01, "higher_is_better"),
    (-0.008, 0.00001, 0.0001, 0.05, 0.01, "higher_is_better"),
    (0.001, 0.00001, 0.0001, 0.025, 0.01, "lower_is_better"),
    (-0.001, 0.00001, 0.0001, 0.025, 0.01, "lower_is_better"),
    (0.05, 0.00001, 0.0001, 0.025, 0.01, "lower_is_better"),
    (0.012, 0.00001, 0.0001, 0.025, 0.01, "lower_is_better"),
]:
    lower, upper = cs_brentq(est, v, tau2, 2 * alpha)
    if direction == "higher_is_better":
        res = {"breached": upper < -margin, "confirmedNonInferior": lower > -margin, "bound": lower}
    else:
        res = {"breached": lower > margin, "confirmedNonInferior": upper < margin, "bound": upper}
    out["nonInferiority"].append({"estimate": est, "variance": v, "mixingVariance": tau2, "alpha": alpha,
                                  "margin": margin, "direction": direction, **res})


# --- sequential SRM ------------------------------------------------------------------------------
def srm_log_bf(strata, k):
    total = 0.0
    for observed, weights in strata:
        x = np.asarray(observed, dtype=float)
        w = np.asarray(weights, dtype=float)
        theta = w / w.sum()
        keep = theta > 0
        assert np.all(x[~keep] == 0)
        x, theta = x[keep], theta[keep]
        a = k * theta
        total += (special.gammaln(a.sum()) - special.gammaln(a.sum() + x.sum())
                  + np.sum(special.gammaln(a + x) - special.gammaln(a)) - np.sum(x * np.log(theta)))
    return float(total)


out["srm"] = []
for strata, k in [
    ([([5030, 4970], [1, 1])], 1000),
    ([([5300, 4700], [1, 1])], 1000),
    ([([20800, 19200], [1, 1])], 1000),
    ([([20000, 20000], [1, 1])], 1000),
    ([([900, 2100, 7000], [1, 2, 7])], 1000),
    ([([900, 2100, 7000], [1, 2, 7])], 10000),
    ([([480, 520], [1, 1]), ([9100, 870], [90, 10])], 1000),
    ([([48, 52], [0.5, 0.5]), ([510, 470, 0], [1, 1, 0])], 100),
    ([([3, 0], [1, 1])], 1),
]:
    lbf = srm_log_bf(strata, k)
    out["srm"].append({"strata": [{"observed": o, "weights": w} for o, w in strata], "concentration": k,
                       "logBayesFactor": lbf, "pValue": min(1.0, math.exp(-lbf))})


# --- beta-binomial -------------------------------------------------------------------------------
def mass_points(p):
    a, b = p
    m = a / (a + b)
    s = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    return m, s


def quad_over(f, dists):
    """∫ f over [0, 1], split where the given beta distributions put their mass."""
    pts = sorted({p for mm, ss in map(mass_points, dists)
                  for p in (mm + k * ss for k in (-64, -32, -16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16, 32, 64))
                  if 0 < p < 1})
    value, err = integrate.quad(f, 0, 1, points=pts, epsabs=1e-15, epsrel=1e-13, limit=2000)
    assert err < 1e-10, err
    return value


def p_b_beats_a(a, b):
    left, right = a[0] + b[0] - 1, b[1] - 1
    if b[0] >= 1 and b[1] >= 1:
        return quad_over(lambda x: stats.beta.pdf(x, *b) * stats.beta.cdf(x, *a), [b, a])
    # f_B is singular at an end; the integrand behaves as x^left at 0 and (1 − x)^right at 1. QUADPACK's
    # QAWS (quad with weight='alg') integrates such algebraic end singularities exactly, the smooth rest
    # numerically. The upper half is integrated in y = 1 − x with the mirrored distributions, where
    # doubles near 1 would otherwise round away the singular mass.
    def lower(x):  # f_B(x) F_A(x) / x^left, → 1 / (B(αB, βB) αA B(αA, βA)) at 0
        if x == 0:
            return math.exp(-special.betaln(*b) - math.log(a[0]) - special.betaln(*a))
        return math.exp(stats.beta.logpdf(x, *b) + stats.beta.logcdf(x, *a) - left * math.log(x))

    def upper(y):  # f_B(1 − y) F_A(1 − y) / y^right, with F_A(1 − y) = sf(y; βA, αA); → 1 / B(αB, βB) at 0
        if y == 0:
            return math.exp(-special.betaln(*b))
        return math.exp(stats.beta.logpdf(y, b[1], b[0]) + stats.beta.logsf(y, a[1], a[0]) - right * math.log(y))

    lo, err_lo = integrate.quad(lower, 0, 0.5, weight="alg", wvar=(left, 0), epsabs=1e-15, epsrel=1e-13, limit=500)
    hi, err_hi = integrate.quad(upper, 0, 0.5, weight="alg", wvar=(right, 0), epsabs=1e-15, epsrel=1e-13, limit=500)
    assert err_lo + err_hi < 1e-12, (err_lo, err_hi)
    return lo + hi


def miller(a, b):
    """Evan Miller's sum (integer b[0]) in 30-digit arithmetic, as an independent check on the quadrature."""
    with mpmath.workdps(30):
        aa, ba, bb = mpmath.mpf(a[0]), mpmath.mpf(a[1]), mpmath.mpf(b[1])
        term = mpmath.beta(aa, ba + bb) / mpmath.beta(aa, ba)  # i = 0; B(1, βB) = 1/βB
        total = mpmath.mpf(0)
        for i in range(int(b[0])):
            total += term
            term *= (aa + i) * (bb + i) / ((aa + ba + bb + i) * (1 + i))
        return float(total)


def loss_choose_a(a, b):
    """E[max(pB − pA, 0)] = ∫ f_A(x) ∫_x^1 (t − x) f_B(t) dt dx, the inner integral by beta.sf."""
    mean_b = b[0] / (b[0] + b[1])
    if a[0] >= 1 and a[1] >= 1:
        return quad_over(lambda x: stats.beta.pdf(x, *a) * (mean_b * stats.beta.sf(x, b[0] + 1, b[1])
                                                             - x * stats.beta.sf(x, *b)), [a, b])
    # f_A is singular at an end: QAWS as in p_b_beats_a, the upper half in y = 1 − x. The inner
    # integral vanishes like y^(βB + 1) at x = 1, so only the weight y^(βA − 1) is singular there.
    left, right = a[0] - 1, a[1] - 1

    def lower(x):
        if x == 0:
            return mean_b * math.exp(-special.betaln(*a))
        return math.exp(stats.beta.logpdf(x, *a) - left * math.log(x)) * (
            mean_b * stats.beta.sf(x, b[0] + 1, b[1]) - x * stats.beta.sf(x, *b))

    def upper(y):
        if y == 0:
            return 0.0
        return math.exp(stats.beta.logpdf(y, a[1], a[0]) - right * math.log(y)) * (
            mean_b * stats.beta.cdf(y, b[1], b[0] + 1) - (1 - y) * stats.beta.cdf(y, b[1], b[0]))

    lo, err_lo = integrate.quad(lower, 0, 0.5, weight="alg", wvar=(left, 0), epsabs=1e-15, epsrel=1e-13, limit=500)
    hi, err_hi = integrate.quad(upper, 0, 0.5, weight="alg", wvar=(right, 0), epsabs=1e-15, epsrel=1e-13, limit=500)
    assert err_lo + err_hi < 1e-12, (err_lo, err_hi)
    return lo + hi


out["betaBinomial"] = {"probability": [], "loss": [], "posterior": []}
for a, b in [
    ((101, 901), (131, 871)),
    ((131, 871), (101, 901)),
    ((51, 951), (51, 951)),
    ((5001, 95001), (5101, 94901)),
    ((1, 101), (1, 101)),
    ((1, 1001), (4, 998)),
    ((3.5, 20.25), (6.5, 18.25)),
    ((0.5, 100.5), (0.5, 120.5)),
    ((12, 30.5), (9.5, 33)),
    ((60001, 940001), (60601, 939401)),
    ((2, 3), (1, 1)),
    ((0.1, 500.1), (0.2, 420.2)),
    ((30.1, 0.3), (25.4, 0.2)),
]:
    p = p_b_beats_a(a, b)
    if float(b[0]).is_integer():
        assert abs(miller(a, b) - p) < 1e-12, (a, b, miller(a, b), p)
    elif float(a[0]).is_integer():
        assert abs(1 - miller(b, a) - p) < 1e-12, (a, b, 1 - miller(b, a), p)
    else:  # no closed form: the other integral, 1 − ∫ f_A F_B, must agree
        assert abs(1 - p_b_beats_a(b, a) - p) < 1e-12, (a, b, 1 - p_b_beats_a(b, a), p)
    out["betaBinomial"]["probability"].append({"a": {"alpha": a[0], "beta": a[1]},
                                               "b": {"alpha": b[0], "beta": b[1]}, "value": p})
    choose_a, choose_b = loss_choose_a(a, b), loss_choose_a(b, a)
    # Two separate integrals; their difference must be E[pB] − E[pA].
    assert abs(choose_a - choose_b - (b[0] / (b[0] + b[1]) - a[0] / (a[0] + a[1]))) < 1e-13, (a, b)
    out["betaBinomial"]["loss"].append({"a": {"alpha": a[0], "beta": a[1]}, "b": {"alpha": b[0], "beta": b[1]},
                                        "chooseA": choose_a, "chooseB": choose_b})
for units, conversions, prior in [(1000, 100, (1, 1)), (100000, 5000, (1, 1)), (200, 0, (1, 1)),
                                  (0, 0, (1, 1)), (50, 50, (1, 1)), (1000, 37, (0.5, 0.5)),
                                  (100000000, 0, (1, 1))]:
    a, b = prior[0] + conversions, prior[1] + units - conversions
    out["betaBinomial"]["posterior"].append({
        "arm": {"units": units, "conversions": conversions}, "prior": {"alpha": prior[0], "beta": prior[1]},
        "alpha": a, "beta": b, "mean": a / (a + b),
        "interval": [float(stats.beta.ppf(0.025, a, b)), float(stats.beta.ppf(0.975, a, b))],
    })


# --- normal posterior ----------------------------------------------------------------------------
out["normalPosterior"] = []
for mu, sigma in [(0.3, 0.2), (-0.3, 0.2), (0.0, 1.5), (2.0, 0.1), (-0.004, 0.0031), (12.5, 40.0)]:
    pdf = lambda d, mu=mu, sigma=sigma: stats.norm.pdf(d, mu, sigma)  # noqa: E731
    lo, hi = mu - 40 * sigma, mu + 40 * sigma
    loss_treatment = integrate.quad(lambda d: -d * pdf(d), lo, 0, epsabs=1e-15, epsrel=1e-13, limit=500)[0] \
        if lo < 0 else 0.0
    loss_control = integrate.quad(lambda d: d * pdf(d), 0, hi, epsabs=1e-15, epsrel=1e-13, limit=500)[0] \
        if hi > 0 else 0.0
    z = mu / sigma
    closed_t = sigma * stats.norm.pdf(z) - mu * stats.norm.cdf(-z)
    closed_c = sigma * stats.norm.pdf(z) + mu * stats.norm.cdf(z)
    assert abs(closed_t - loss_treatment) < 1e-12 * max(1, sigma) and abs(closed_c - loss_control) < 1e-12 * max(1, sigma)
    out["normalPosterior"].append({"difference": mu, "standardError": sigma,
                                   "probabilityPositive": float(stats.norm.cdf(z)),
                                   "expectedLossIfChooseTreatment": loss_treatment,
                                   "expectedLossIfChooseControl": loss_control})


# --- CUPED ---------------------------------------------------------------------------------------
def arm_stats(x, y):
    return {"units": int(len(y)), "sum": float(np.sum(y)), "sumSquares": float(np.sum(y * y)),
            "covariateSum": float(np.sum(x)), "covariateSumSquares": float(np.sum(x * x)),
            "crossSum": float(np.sum(x * y))}


out["cuped"] = []
rng = np.random.default_rng(20130204)
datasets = []
# Revenue-like: pre-period spend predicts in-period spend; treatment adds 0.5.
x_c = rng.gamma(2.0, 10.0, 4000)
x_t = rng.gamma(2.0, 10.0, 4300)
datasets.append(("revenue", x_c, 5 + 0.8 * x_c + rng.normal(0, 6, 4000), x_t, 5.5 + 0.8 * x_t + rng.normal(0, 6, 4300)))
# Conversion (0/1) with a count covariate (pre-period sessions).
x_c = rng.poisson(3.0, 5000).astype(float)
x_t = rng.poisson(3.0, 5000).astype(float)
datasets.append(("conversion", x_c, (rng.random(5000) < 0.05 + 0.01 * x_c).astype(float),
                 x_t, (rng.random(5000) < 0.055 + 0.01 * x_t).astype(float)))
# An uninformative covariate: θ ≈ 0, hardly any reduction.
x_c = rng.normal(100, 15, 800)
x_t = rng.normal(100, 15, 900)
datasets.append(("uninformative", x_c, rng.normal(10, 3, 800), x_t, rng.normal(10.2, 3, 900)))
# Unequal covariate means between arms (chance imbalance): the adjustment moves the means.
x_c = rng.normal(50, 10, 300)
x_t = rng.normal(53, 10, 250)
datasets.append(("imbalanced", x_c, 2 * x_c + rng.normal(0, 5, 300), x_t, 2 * x_t + 1 + rng.normal(0, 5, 250)))

for name, xc, yc, xt, yt in datasets:
    # Within-arm centring, pooled over both arms.
    sxy = np.sum((xc - xc.mean()) * (yc - yc.mean())) + np.sum((xt - xt.mean()) * (yt - yt.mean()))
    sxx = np.sum((xc - xc.mean()) ** 2) + np.sum((xt - xt.mean()) ** 2)
    theta = sxy / sxx
    # Cross-check: the slope of y on x in OLS with an arm dummy is exactly the pooled within-arm slope.
    design = sm.add_constant(np.column_stack([np.concatenate([xc, xt]),
                                              np.concatenate([np.zeros(len(xc)), np.ones(len(xt))])]))
    ols_theta = sm.OLS(np.concatenate([yc, yt]), design).fit().params[1]
    assert abs(ols_theta - theta) < 1e-10 * max(1, abs(theta)), (ols_theta, theta)
    pooled_x = np.concatenate([xc, xt]).mean()
    mean_c = yc.mean() - theta * (xc.mean() - pooled_x)
    mean_t = yt.mean() - theta * (xt.mean() - pooled_x)
    var_adj_c = np.var(yc - theta * xc, ddof=1)
    var_adj_t = np.var(yt - theta * xt, ddof=1)
    variance = var_adj_c / len(yc) + var_adj_t / len(yt)
    unadjusted = np.var(yc, ddof=1) / len(yc) + np.var(yt, ddof=1) / len(yt)
    out["cuped"].append({
        "name": name, "control": arm_stats(xc, yc), "treatment": arm_stats(xt, yt),
        "theta": float(theta), "olsTheta": float(ols_theta), "controlMean": float(mean_c),
        "treatmentMean": float(mean_t), "difference": float(mean_t - mean_c), "variance": float(variance),
        "unadjustedVariance": float(unadjusted), "varianceReduction": float(1 - variance / unadjusted),
    })


# --- multiple testing ----------------------------------------------------------------------------
out["multipleTesting"] = []
for pvals, alpha in [
    ([0.01, 0.04, 0.03, 0.005, 0.2], 0.05),
    ([0.02, 0.02, 0.02, 0.5, 0.001, 0.02], 0.05),
    ([0.9, 0.8, 0.95, 0.99], 0.05),
    ([0.0001, 0.0002, 0.0003], 0.01),
    ([0.3], 0.05),
    ([0.04, 0.01, 0.04, 0.04, 0.07, 0.6, 0.0125, 0.05], 0.05),
    ([0.5, 0.5, 0.5, 0.5], 0.5),
    ([], 0.05),
]:
    entry = {"pValues": pvals, "alpha": alpha}
    for method, key in [("holm", "holm"), ("fdr_bh", "benjaminiHochberg")]:
        if pvals:
            reject, adjusted, _, _ = multipletests(pvals, alpha=alpha, method=method)
            entry[key] = {"adjusted": [float(p) for p in adjusted], "rejected": [bool(r) for r in reject]}
        else:
            entry[key] = {"adjusted": [], "rejected": []}
    out["multipleTesting"].append(entry)


# --- sample size ---------------------------------------------------------------------------------
out["fixedHorizon"] = []
for baseline, sd, mde, alpha, power, share in [
    (0.1, math.sqrt(0.1 * 0.9), 0.01, 0.05, 0.8, 0.5),
    (0.1, math.sqrt(0.1 * 0.9), 0.01, 0.05, 0.8, 0.2),
    (40.0, 25.0, 1.5, 0.01, 0.9, 0.5),
    (0.03, math.sqrt(0.03 * 0.97), 0.003, 0.1, 0.95, 0.7),
    (5.0, 2.0, 0.5, 0.05, 0.5, 0.5),
]:
    z = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    total = z * z * sd * sd * (1 / (1 - share) + 1 / share) / (mde * mde)
    ratio = share / (1 - share)  # statsmodels: nobs2 = ratio · nobs1, nobs1 = control
    # One-sided 'larger' at α/2 is exactly the textbook two-sided formula (which ignores the far tail).
    sm_formula = NormalIndPower().solve_power(effect_size=mde / sd, alpha=alpha / 2, power=power,
                                              ratio=ratio, alternative="larger")
    # statsmodels' two-sided power also counts rejections in the wrong direction: slightly fewer units.
    sm_two_sided = NormalIndPower().solve_power(effect_size=mde / sd, alpha=alpha, power=power,
                                                ratio=ratio, alternative="two-sided")
    out["fixedHorizon"].append({
        "baseline": baseline, "standardDeviation": sd, "minimumDetectableEffect": mde, "alpha": alpha,
        "power": power, "treatmentShare": share, "control": total * (1 - share), "treatment": total * share,
        "total": total, "statsmodelsControl": float(sm_formula), "statsmodelsTwoSidedControl": float(sm_two_sided),
    })

out["sequentialPower"] = []
for sd, mde, alpha, power, tau2, share in [
    (math.sqrt(0.1 * 0.9), 0.01, 0.05, 0.8, 0.0001, 0.5),
    (math.sqrt(0.1 * 0.9), 0.01, 0.05, 0.8, 0.0004, 0.5),
    (25.0, 1.5, 0.01, 0.9, 2.25, 0.5),
    (25.0, 1.5, 0.01, 0.9, 2.25, 0.3),
    (1.0, 0.2, 0.1, 0.5, 0.04, 0.5),
]:
    z_power = stats.norm.ppf(power)

    def gap(n, sd=sd, mde=mde, alpha=alpha, tau2=tau2, share=share, z_power=z_power):
        v = sd * sd / (n * share * (1 - share))
        half = math.sqrt(v * (v + tau2) / tau2 * (2 * math.log(1 / alpha) + math.log((v + tau2) / v)))
        return half + z_power * math.sqrt(v) - mde

    n = optimize.brentq(gap, 1e-3, 1e12, xtol=1e-9, rtol=4 * np.finfo(float).eps, maxiter=1000)
    out["sequentialPower"].append({"standardDeviation": sd, "minimumDetectableEffect": mde, "alpha": alpha,
                                   "power": power, "mixingVariance": tau2, "treatmentShare": share, "total": n})

print(json.dumps(out, indent=1))
