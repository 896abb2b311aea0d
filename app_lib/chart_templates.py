"""Charts as a cached structure plus the figures of the moment.

Building an Altair chart and turning it into Vega-Lite costs 50-250 ms on two busy cores: most of
what a rerun costs after the scenario changes, paid again for every new scenario. A chart's
structure (marks, encodings, colours, scales, tooltips) depends on a few facts about its inputs
(which series exist, whether a band is drawn, which financial years), not on the figures. A
*templated* builder is therefore split in two:

- ``parts(*args)`` works out those facts (the *shape*, hashable) and the tables to draw
  (pandas, a few milliseconds), and optionally the numbers of the moment that are not data (an
  axis top, say) as Vega-Lite parameters by name;
- ``draw(shape)`` builds the Altair chart on named datasets (``alt.NamedData``), with those
  numbers as top-level parameters (:func:`number`) that its scales read (``alt.ExprRef``), so a
  new axis top is a new value, not a new structure to build.

The public builder (``charts.stage_chart`` and the like) is still a pure function returning an
Altair chart (``assemble``); the server keeps the Vega-Lite of ``draw(shape)`` once per shape and
fills in the datasets for each request (``spec``), which gives the same spec for a fraction of
the work (tested: ``tests/test_chart_templates.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Protocol

import altair as alt
import numpy as np
import pandas as pd

Parts = tuple[Hashable, dict[str, pd.DataFrame]] | tuple[Hashable, dict[str, pd.DataFrame], dict[str, float]]
PartsFn = Callable[..., Parts]
DrawFn = Callable[[Any], alt.TopLevelMixin]


class _Cache(Protocol):
    def get(self, key: Any) -> Any: ...

    def put(self, key: Any, value: Any) -> None: ...


_REGISTRY: dict[Callable[..., Any], tuple[PartsFn, DrawFn]] = {}


def values(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as Vega-Lite rows, converted exactly as Altair converts inline data."""
    return alt.utils.data.to_values(df)["values"]


_PLAIN = ("float64", "int64", "str")


def page_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as ``pd.DataFrame(values(df))`` reads (what Streamlit turns into Arrow for the browser),
    in a fraction of the time for the plain columns of the templated charts: dates as ISO text,
    infinities as missing. Any other kind of column goes the long way, through :func:`values`."""
    if isinstance(df.columns, pd.MultiIndex) or not all(isinstance(c, str) for c in df.columns):
        return pd.DataFrame(values(df))
    out: dict[str, Any] = {}
    for name in df.columns:
        col = df[name]
        dtype = str(col.dtype)
        if dtype.startswith("datetime64[") and col.dt.tz is None:
            text = np.datetime_as_string(col.to_numpy(), unit="s")
            out[name] = np.where(text == "NaT", "", text).astype(object)
        elif dtype == "float64":
            out[name] = col.to_numpy().copy()
            out[name][np.isinf(out[name])] = np.nan
        elif dtype in _PLAIN:
            out[name] = col.to_numpy()
        else:
            return pd.DataFrame(values(df))
    return pd.DataFrame(out)


def page_parts(builder: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> tuple[Hashable, dict, dict]:
    """(shape, datasets as :func:`page_frame` frames, numbers) of a templated builder's inputs."""
    parts, _ = _REGISTRY[builder]
    shape, data, numbers = _split(parts(*args, **kwargs))
    return shape, {name: page_frame(df) for name, df in data.items()}, numbers


def number(name: str) -> alt.Parameter:
    """A number of the moment in a templated chart (filled in from ``parts``); read it as ``alt.ExprRef(name)``."""
    return alt.param(name=name, value=0)


def number_of(spec: dict[str, Any], value: Any) -> Any:
    """``value`` from a spec, with a number of the moment (``{"expr": name}``) read from the spec's parameters."""
    if isinstance(value, dict) and "expr" in value:
        return next(p["value"] for p in spec.get("params", []) if p.get("name") == value["expr"])
    return value


def _split(parts: Parts) -> tuple[Hashable, dict[str, pd.DataFrame], dict[str, float]]:
    shape, data, *numbers = parts
    return shape, data, (numbers[0] if numbers else {})


def assemble(draw: DrawFn, parts: Parts) -> alt.TopLevelMixin:
    """The Altair chart of ``draw(shape)`` carrying its datasets and numbers (the public builders' result)."""
    shape, data, numbers = _split(parts)
    chart = draw(shape)
    chart.datasets = {name: values(df) for name, df in data.items()}
    for param in chart.params if numbers else []:
        if param.name in numbers:
            param.value = float(numbers[param.name])
    return chart


def templated(parts: PartsFn, draw: DrawFn) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator for a public builder made of ``parts`` and ``draw``: registers it for :func:`spec`."""

    def register(builder: Callable[..., Any]) -> Callable[..., Any]:
        _REGISTRY[builder] = (parts, draw)
        return builder

    return register


def is_templated(builder: Callable[..., Any]) -> bool:
    return builder in _REGISTRY


def template(builder: Callable[..., Any], shape: Hashable, cache: _Cache) -> dict[str, Any]:
    """The Vega-Lite structure of a templated builder for ``shape`` (without data), built once per shape."""
    _, draw = _REGISTRY[builder]
    key = ("template", builder.__module__, builder.__qualname__, shape)
    found = cache.get(key)
    if found is None:
        found = draw(shape).to_dict(validate=False)  # the builders' output is validated in tests
        cache.put(key, found)
    return found


def fill(structure: dict[str, Any], datasets: dict[str, Any], numbers: dict[str, float]) -> dict[str, Any]:
    """A copy of a template's structure with its datasets and numbers of the moment."""
    out = dict(structure)
    out["datasets"] = datasets
    if numbers:
        out["params"] = [
            dict(p, value=float(numbers[p["name"]])) if p.get("name") in numbers else p for p in out.get("params", [])
        ]
    return out


def spec(builder: Callable[..., Any], args: tuple, kwargs: dict[str, Any], cache: _Cache) -> dict[str, Any]:
    """The Vega-Lite of ``builder(*args, **kwargs)``: the cached structure for its shape, with its datasets."""
    parts, _ = _REGISTRY[builder]
    shape, data, numbers = _split(parts(*args, **kwargs))
    return fill(template(builder, shape, cache), {name: values(df) for name, df in data.items()}, numbers)
