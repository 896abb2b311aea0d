"""The fast path of the published figures (pre-indexed lookup, stored forecast fits) gives exactly what
parsing the CSVs and fitting afresh gives. No timing here (the machines are noisy): bench/bench_published.py."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from csc_model.published import build_scenario, forecast, lookup
from csc_model.published import data as pub

from .helpers import ROOT

PLACES = (  # a county, a city, the smallest, London, a region with suppressed cells, the forecast's outliers
    ("Kent", 2024),
    ("Leeds", 2023),
    ("Rutland", 2024),
    ("City of London", 2024),
    ("Barnet", 2022),
    ("Hartlepool", 2021),
    ("Plymouth", 2023),
)


def _clear() -> None:
    for f in (pub._lookup, pub._headline_index, pub.authorities, forecast.panel, forecast.fit, forecast._stored_fits):
        f.cache_clear()


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    """Same characteristics in the same order, same figures (NaN where suppressed)."""
    return list(a) == list(b) and all(
        (math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a.values(), b.values(), strict=True)
    )


def test_the_bundled_lookup_and_fits_are_made_from_the_bundled_csvs() -> None:
    # both are in use: a changed CSV without rerunning scripts/make_published_data.py would fail here
    assert lookup.read(pub.PUBLISHED_DIR) is not None
    assert forecast._stored_fits()
    years = sorted({y for a in pub.authorities() for y in a.years})
    assert set(forecast._stored_fits()) == {*years, years[-1] + 1}


def test_the_lookup_holds_exactly_the_figures_of_the_csvs() -> None:
    fast = lookup.read(pub.PUBLISHED_DIR)
    assert fast is not None
    assert list(fast.headline) == list(pub._headline_index_csv())
    for key, want in pub._headline_index_csv().items():
        assert _same(fast.headline[key], want), key
    for table in lookup.TABLES:
        index = pub._characteristics(table)
        for (area, year, group), want in index.items():
            assert _same(fast.breakdown(table, area, year, group), want), (table, area, year, group)
        assert fast.breakdown(table, "Nowhere", 2024, "Age group") == {}
        assert fast.breakdown(table, "England", 1999, next(iter(index))[2]) == {}


def test_scenarios_are_the_same_as_from_the_csvs_with_fresh_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    def built() -> list[tuple[str, str]]:
        out = []
        for la, year in PLACES:
            for correct in (True, False):
                s, report = build_scenario(la, dt.date(year, 3, 31), correct=correct)
                out.append((s.to_json(), report.to_json()))
        return out

    def fits() -> dict[int, forecast.Fit]:
        years = sorted({y for a in pub.authorities() for y in a.years})
        return {y: forecast.fit(y) for y in [*years, years[-1] + 1]}

    # the original path: the CSVs parsed and indexed row by row, every fit fresh
    _clear()
    monkeypatch.setattr(pub, "_lookup", lambda: None)
    monkeypatch.setattr(forecast, "_stored_fits", dict)
    slow, track_slow, fits_slow = built(), forecast.track_record(), fits()
    monkeypatch.undo()
    _clear()
    assert pub._lookup() is not None and forecast._stored_fits()  # the fast path
    assert built() == slow
    assert forecast.track_record().equals(track_slow)
    for y, f in fits().items():
        g = fits_slow[y]
        assert (g.coefs, g.pairs, g.fitted, g.describe()) == (f.coefs, f.pairs, f.fitted, f.describe()), y
        assert np.array_equal(g.rel_errors, f.rel_errors), y


def test_the_stored_fits_equal_a_fresh_fit_at_every_cut_off() -> None:
    for year, kept in forecast._stored_fits().items():
        fresh = forecast.fit(year, stored=False)
        assert (kept.year, kept.coefs, kept.pairs, kept.fitted) == (year, fresh.coefs, fresh.pairs, fresh.fitted)
        assert np.array_equal(kept.rel_errors, fresh.rel_errors), year


def test_a_changed_csv_is_noticed_and_the_script_remakes_the_same_lookup(tmp_path: Path) -> None:
    copy = tmp_path / "published"
    shutil.copytree(pub.PUBLISHED_DIR, copy)
    (copy / lookup.FILE).unlink()
    assert lookup.read(copy) is None
    made = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_published_data.py"), "--derived-only", "--out", str(copy)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    assert (copy / lookup.FILE).read_bytes() == (pub.PUBLISHED_DIR / lookup.FILE).read_bytes()
    assert lookup.read(copy) is not None
    (copy / "in_care.csv.gz").write_bytes((copy / "started.csv.gz").read_bytes())
    assert lookup.read(copy) is None  # not made from these CSVs: they are parsed instead


def test_the_first_scenario_of_a_process_neither_parses_the_csvs_nor_fits() -> None:
    code = (
        "import datetime as dt, sys\n"
        "from csc_model.published import build_scenario, data\n"
        "build_scenario('Plymouth', dt.date(2023, 3, 31))\n"
        "print(data._read.cache_info().currsize, 'scipy.optimize' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["0", "False"]
