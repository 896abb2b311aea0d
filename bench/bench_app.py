"""Server-side timings of the Streamlit app with AppTest (no browser): prints figures, asserts nothing.

Measures, on the default scenario:

* first page load: a new session's first run of ``app.py`` (the overview), in this fresh
  process, so it includes importing the app and the first model run;
* the rerun after a lever change on the scenario builder (a new scenario, so the model runs),
  and after a one-click preset on the overview;
* a rerun with nothing changed (every projection comes from the cache), and page switches.

AppTest runs the script in-process, like the server does, but without the websocket and the
browser's drawing, so these are the server's share of what a user waits for.

Run: ``python bench/bench_app.py [--repeats 15]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _summary(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    print(
        f"{name:<52} median {statistics.median(ms):7.0f} ms   p90 {p90:7.0f} ms   max {ms[-1]:7.0f} ms   (n={len(ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    import_ms = (time.perf_counter() - t0) * 1000

    at = AppTest.from_file(APP, default_timeout=120)
    first_ms = _timed(at.run)
    assert not at.exception, [e.value for e in at.exception]
    print(f"{'import streamlit.testing':<52} {import_ms:7.0f} ms")
    print(f"{'first page load (new session, overview, cold)':<52} {first_ms:7.0f} ms")

    second = AppTest.from_file(APP, default_timeout=120)
    _summary("first page load, second session (warm process)", [_timed(second.run)])

    at.switch_page("pages/builder.py").run()
    lever = at.number_input(key="lever:entries.weekly_rate")
    rates = [round(3.0 + 0.05 * i, 2) for i in range(args.repeats + 1)]
    lever.set_value(rates[0]).run()  # warm the builder's own code paths once
    builder = []
    for rate in rates[1:]:
        builder.append(_timed(lambda r=rate: at.number_input(key="lever:entries.weekly_rate").set_value(r).run()))
        assert not at.exception, [e.value for e in at.exception]
    _summary("lever change on the scenario builder (model runs)", builder)

    plain = [_timed(at.run) for _ in range(args.repeats)]
    _summary("rerun with nothing changed (cache hit)", plain)

    at.switch_page("pages/home.py").run()
    presets = []
    for key in ("court_26_weeks", "edge_of_care_10", "fostering_sufficiency", "inflation_shock", "sibling_surge"):
        presets.append(_timed(lambda k=key: at.button(key=f"preset:{k}").click().run()))
        assert not at.exception
    _summary("one-click preset on the overview (model runs)", presets)

    switches = []
    for page in ("placements", "compare", "model", "home", "builder", "briefing", "benchmarks", "data"):
        switches.append(_timed(lambda p=page: at.switch_page(f"pages/{p}.py").run()))
        assert not at.exception
    _summary("page switch (projections cached)", switches)

    at.switch_page("pages/home.py").run()
    band = _timed(lambda: at.toggle(key="pref:stochastic").set_value(True).run())
    print(f"{'range of outcomes switched on (200 stochastic runs)':<52} {band:7.0f} ms")


if __name__ == "__main__":
    main()
