"""Step 1 of the defaults' calibration as run in November 2026 (issue 10): search the free rates so the
long-run exit routes and ages come near England's and the five-year cost per child holds.

Run from the repository root::

    python scripts/tune_long_run.py [MAX_EVALUATIONS] [BASE_JSON] [OUT_JSON]

It searches (least squares) the entrants' ages (within 5 points of the national starters'), the
final-hearing outcome shares, the care-order exit rates, the section 20 length and the section 20
share of entrants aged 10-15 and 16-17, against the targets in ``TARGET`` (DfE: SGO/CAO 11.5%,
adoption 9%, returned home 30%, left at 18 40% of leavers; under-1s 5%, 16-17s 27% of children in
care), with weights ``W``, a penalty on the drift of the cost per child (at the start's placement
cost by age band) and on the number in care. It writes the tuned scenario to OUT_JSON (default
``tuned.json``) and prints the shares; copy the values into ``data/default_scenario.json`` and then
run ``python scripts/tune_defaults.py --skip-step1 --write`` for the entrants' placement mix. This
replaces step 1 of ``tune_defaults.py``, whose targets are the older ones. What it reaches and what
it cannot (leaving at 18, 16-17s) is in docs/model.md.
"""

import json
import sys

import numpy as np
from scipy.optimize import least_squares

sys.path.insert(0, ".")
from csc_model.reporting.results import long_run_shares
from csc_model.scenario import AGE_BAND_YEARS, AGE_BANDS, Scenario
from csc_model.solvers.engine import run_deterministic
from csc_model.solvers.structure import build

PATH = "data/default_scenario.json"
with open(sys.argv[2] if len(sys.argv) > 2 else PATH) as fh:
    data0 = json.load(fh)
NAT = {"under_1": 0.17, "1_4": 0.14, "5_9": 0.16, "10_15": 0.32, "16_17": 0.21}
price = data0["costs"]["weekly_price_gbp"]
band_cost = np.array(
    [sum(data0["initial"]["placement_mix_by_age_band"][b][p] * price[p] for p in price) for b in AGE_BANDS]
)
start_age = np.array([data0["initial"]["age_band_shares"][b] for b in AGE_BANDS])
TARGET = dict(
    exit_sgo_cao=0.115,
    exit_adoption=0.09,
    exit_returned_home=0.30,
    exit_age_18=0.40,
    age_under_1=0.05,
    age_16_17=0.27,
    exit_other=0.095,
)
W = dict(
    exit_sgo_cao=1, exit_adoption=1, exit_returned_home=1, exit_age_18=1.5, age_under_1=1, age_16_17=1, exit_other=0.5
)
names = [
    "e_u1",
    "e_14",
    "e_59",
    "e_1015",
    "oc_sgo",
    "oc_home",
    "oc_po",
    "co_home",
    "co_sgo",
    "co_other",
    "s20_weeks",
    "s20sh_1015",
    "s20sh_1617",
]


def get_x(d):
    e, oc, co = d["entries"]["age_band_shares"], d["proceedings"]["outcome_shares"], d["care_order"]
    s2 = d["entries"]["s20_share_by_age_band"]
    return np.array(
        [
            e["under_1"],
            e["1_4"],
            e["5_9"],
            e["10_15"],
            oc["sgo_cao"],
            oc["returned_home"],
            oc["placement_order"],
            co["annual_discharge_home"],
            co["annual_sgo"],
            co["annual_other"],
            d["s20"]["mean_weeks_to_return_home"],
            s2["10_15"],
            s2["16_17"],
        ]
    )


def apply(d0, x):
    d = json.loads(json.dumps(d0))
    e = d["entries"]["age_band_shares"]
    for b, v in zip(AGE_BANDS[:4], x[:4], strict=True):
        e[b] = round(float(v), 3)
    e["16_17"] = round(1 - sum(e[b] for b in AGE_BANDS[:4]), 3)
    oc = d["proceedings"]["outcome_shares"]
    oc["sgo_cao"], oc["returned_home"], oc["placement_order"] = (round(float(v), 4) for v in x[4:7])
    oc["care_order"] = round(1 - oc["sgo_cao"] - oc["returned_home"] - oc["placement_order"], 4)
    co = d["care_order"]
    co["annual_discharge_home"], co["annual_sgo"], co["annual_other"] = (round(float(v), 4) for v in x[7:10])
    d["s20"]["mean_weeks_to_return_home"] = round(float(x[10]), 1)
    d["entries"]["s20_share_by_age_band"]["10_15"] = round(float(x[11]), 3)
    d["entries"]["s20_share_by_age_band"]["16_17"] = round(float(x[12]), 3)
    return d


def metrics(d):
    s = Scenario.from_dict(d)
    m = long_run_shares(s, years=20)
    raw = run_deterministic(build(s))
    out5 = []
    for t in (52 * 1 - 1, 52 * 3 - 1, raw.stock_age.shape[0] - 1):
        age = raw.stock_age[t]
        sh = np.array([age[AGE_BAND_YEARS[b][0] : AGE_BAND_YEARS[b][1] + 1].sum() for b in AGE_BANDS]) / age.sum()
        out5.append(sh)
    m["cost_proxy"] = [float(sh @ band_cost / (start_age @ band_cost) - 1) for sh in out5]
    m["age5"] = out5[-1].round(3).tolist()
    m["ratio5"] = float(raw.stock_age[-1].sum() / s.initial.total)
    return m


def bounds():
    nat = np.array([NAT[b] for b in AGE_BANDS[:4]])
    lo = np.concatenate([nat - 0.05, [0.05, 0.05, 0.05, 0.01, 0.01, 0.0, 26, 0.1, 0.5]])
    hi = np.concatenate([nat + 0.05, [0.35, 0.45, 0.35, 0.1, 0.1, 0.15, 156, 0.6, 0.85]])
    lo[0] = nat[0]
    return lo, hi


if __name__ == "__main__":
    lo, hi = bounds()
    x0 = np.clip(get_x(data0), lo, hi)
    scale = (hi - lo) / 4

    def resid(z):
        x = np.clip(x0 + (z - 1) * scale, lo, hi)
        m = metrics(apply(data0, x))
        r = [W[k] * (m[k] - v) / 0.01 * 0.1 for k, v in TARGET.items()]
        r += [0.2 * c / 0.01 for c in m["cost_proxy"]]
        r += [0.1 * (m["children_ratio"] - 1) / 0.02, 0.6 * (m["ratio5"] - 1) / 0.02]
        return np.array(r)

    fit = least_squares(
        resid, np.ones_like(x0), diff_step=0.05, max_nfev=int(sys.argv[1]) if len(sys.argv) > 1 else 20, verbose=2
    )
    x = np.clip(x0 + (fit.x - 1) * scale, lo, hi)
    d = apply(data0, x)
    m = metrics(d)
    print(dict(zip(names, np.round(x, 4), strict=True)))
    print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()})
    with open(sys.argv[3] if len(sys.argv) > 3 else "tuned.json", "w") as fh:
        json.dump(d, fh, indent=2)
