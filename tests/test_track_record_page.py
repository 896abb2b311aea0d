"""Load your data: the model's track record on the return (the back-test in the app)."""

from __future__ import annotations

import time

from app_lib import ssda903_page as data
from csc_model.backtest import summary
from tests.test_your_data_page import page


def test_track_record_on_the_example_return() -> None:
    at = page()
    at.button(key="data:example").click().run()
    at.button(key="data:calibrate").click().run()
    t0 = time.perf_counter()
    at.button(key="data:track").click().run(timeout=600)
    took = time.perf_counter() - t0
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    card = at.session_state["data:track_record"][1]
    expected = data.track_record_example()
    assert card.equals(expected)  # the same seed and data give the same scorecard
    words = " ".join(m.value for m in at.markdown).replace("\\", "")  # without Markdown escapes
    for r in summary(card).itertuples():
        ahead = "one year" if r.horizon_years == 1 else f"{r.horizon_years} years"
        assert f"{ahead} ahead, the forecast of children in care was within {r.mape_model:.1%}" in words
    assert set(card.columns) >= {"cutoff", "horizon_years", "actual", "p10", "p50", "p90", "persistence"}
    print(f"track record on the example return: {took:.1f} s")
