"""Load your data: the model's track record on the return (the back-test in the app)."""

from __future__ import annotations

import json
import time

from app_lib import ssda903_page as data
from csc_model.backtest import summary
from tests.test_benchmarks_review import NOTE, _leaves, _legend_entries, _title_text
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


def test_the_track_record_chart_on_the_page_names_the_actual_line_and_says_its_axis_is_not_from_zero() -> None:
    at = page()
    at.button(key="data:example").click().run()
    at.button(key="data:calibrate").click().run()
    at.button(key="data:track").click().run(timeout=600)
    assert not at.exception, [e.value for e in at.exception]
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    track = [s for s in specs if "Children in care at 31 March" in json.dumps(s)]
    assert len(track) == 1
    entries = _legend_entries(track[0])
    assert any(name.lower().startswith("actual") for name in entries), entries
    ys = [leaf["encoding"]["y"] for leaf in _leaves(track[0]) if "title" in leaf.get("encoding", {}).get("y", {})]
    assert ys and all(NOTE in _title_text(y["title"]) for y in ys)
