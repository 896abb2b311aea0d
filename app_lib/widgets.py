"""Inputs bound to scenario fields.

Each input is seeded from the Scenario in session state (:func:`state.seed`) and writes its
change back through ``Scenario.with_values`` in an ``on_change`` callback. A rejected change
leaves the scenario as it was and shows the problem, in plain words, under the input. Labels
come from the field metadata, so they are stable for anyone driving the app from a browser.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from csc_model.scenario import field_meta
from csc_model.scenario.config import load_placement_types

from . import formatting as fmt
from . import state
from .levers import (
    default_caption,
    describe_path,
    display_for,
    generic_path,
    help_text,
    show_value,
    value_at,
)

LEVER_PREFIX = "lever:"


def lever_key(path: str) -> str:
    """Widget key of the input for ``path`` (stable, for tests and browser drivers)."""
    return LEVER_PREFIX + path


def _caption(path: str, where: Any) -> None:
    where.caption(_baseline_note(path) + default_caption(path))


def _baseline_note(path: str) -> str:
    """With a chosen baseline whose value differs from the default: that value, named, first."""
    if not state.custom_baseline():
        return ""
    from csc_model import default_scenario

    value = value_at(state.baseline(), path)
    if value == value_at(default_scenario(), path):
        return ""
    return f"Baseline ({fmt.md_escape(state.baseline_label())}): {fmt.md_escape(show_value(path, value))} · "


def show_errors(source: str, where: Any = st) -> None:
    """Problems with the last rejected change made through ``source``, if any."""
    messages = state.errors_for(source)
    if messages:
        value = value_at(state.scenario(), source) if "." in source else None
        if value is None or isinstance(value, (dict, list)):
            tail = "\n\nThis change was not applied; the scenario keeps its current values."
        else:
            tail = f"\n\nThis change was not applied; the scenario still uses {show_value(source, value)}."
        where.error("\n\n".join(messages) + tail, icon=":material/error:")


def _label(path: str, label: str | None) -> str:
    if label:
        return label
    meta = field_meta(generic_path(path))
    base = describe_path(path) if path.count(".") > 1 and "." in path else meta.get("label", path)
    unit = display_for(path).unit
    return f"{base} ({unit})" if unit and unit not in ("date", "order", "financial year", "") else base


def _on_number(path: str, key: str) -> None:
    disp = display_for(path)
    value = st.session_state.get(key)
    if value is None:
        state.record_errors(path, [f"**{describe_path(path)}**: enter a number."])
        return
    state.apply_changes({path: disp.from_widget(value)}, path)


def number(path: str, label: str | None = None, where: Any = st, caption: bool = True) -> None:
    """A number input for a numeric field, shown in its display unit (% for shares, £ for money)."""
    disp = display_for(path)
    key = lever_key(path)
    state.seed(key, disp.to_widget(value_at(state.scenario(), path)))
    where.number_input(
        _label(path, label),
        # a cleared box is "no number" (None: "enter a number", nothing applied), not the widget's 0:
        # clearing entries per week to retype it once applied 0 and took 515 children to 154
        value=None,
        step=disp.step if disp.integer else float(disp.step),
        format=disp.fmt,
        key=key,
        help=help_text(path),
        on_change=_on_number,
        args=(path, key),
    )
    if caption:
        _caption(path, where)
    show_errors(path, where)


def _on_date(path: str, key: str) -> None:
    value = st.session_state.get(key)
    if not isinstance(value, dt.date):
        state.record_errors(path, [f"**{describe_path(path)}**: choose a date."])
        return
    state.apply_changes({path: value.isoformat()}, path)


def date(path: str, label: str | None = None, where: Any = st, caption: bool = True) -> None:
    """A date input for a date field."""
    key = lever_key(path)
    state.seed(key, dt.date.fromisoformat(value_at(state.scenario(), path)))
    where.date_input(
        _label(path, label),
        key=key,
        format="DD/MM/YYYY",
        min_value=dt.date(2000, 1, 1),
        max_value=dt.date(2100, 1, 1),
        help=help_text(path),
        on_change=_on_date,
        args=(path, key),
    )
    if caption:
        _caption(path, where)
    show_errors(path, where)


def _on_text(path: str, key: str) -> None:
    state.apply_changes({path: str(st.session_state.get(key) or "")}, path)


def text(path: str, label: str | None = None, where: Any = st, caption: bool = True) -> None:
    """A text input (scenario name, price base year)."""
    key = lever_key(path)
    state.seed(key, value_at(state.scenario(), path))
    where.text_input(
        _label(path, label), key=key, help=help_text(path), on_change=_on_text, args=(path, key), max_chars=120
    )
    if caption:
        _caption(path, where)
    show_errors(path, where)


def _on_select(path: str, key: str) -> None:
    state.apply_changes({path: st.session_state.get(key)}, path)


def placement(path: str, label: str | None = None, where: Any = st, caption: bool = False) -> None:
    """A choice of placement type."""
    key = lever_key(path)
    labels = {p.id: p.label for p in load_placement_types()}
    state.seed(key, value_at(state.scenario(), path))
    where.selectbox(
        _label(path, label),
        options=list(labels),
        format_func=labels.get,
        key=key,
        help=help_text(path),
        on_change=_on_select,
        args=(path, key),
    )
    if caption:
        _caption(path, where)
    show_errors(path, where)


def _on_optional_toggle(path: str, key: str, on_value: float) -> None:
    state.apply_changes({path: on_value if st.session_state.get(key) else None}, path)


def optional_number(path: str, toggle_label: str, on_value: float, where: Any = st) -> bool:
    """A switch that turns an optional field on (with ``on_value``) or off; then its number input."""
    key = lever_key(path) + ":on"
    current = value_at(state.scenario(), path)
    state.seed(key, current is not None)
    where.toggle(toggle_label, key=key, on_change=_on_optional_toggle, args=(path, key, on_value), help=help_text(path))
    if current is not None:
        number(path, where=where)
    else:
        _caption(path, where)
        show_errors(path, where)
    return current is not None


def _on_map_entry(path: str, key: str, map_path: str, entry: str) -> None:
    disp = display_for(path)
    value = st.session_state.get(key)
    current = dict(value_at(state.scenario(), map_path) or {})
    if value is None:
        current.pop(entry, None)
    else:
        current[entry] = disp.from_widget(value)
    state.apply_changes({map_path: current}, path)


def override(map_path: str, entry: str, label: str, placeholder: str, where: Any = st) -> None:
    """An optional value in a map keyed by financial year (blank = the usual value)."""
    path = f"{map_path}.{entry}"
    disp = display_for(path)
    key = lever_key(path)
    current = (value_at(state.scenario(), map_path) or {}).get(entry)
    state.seed(key, disp.to_widget(current))
    where.number_input(
        label,
        value=None,
        step=disp.step if disp.integer else float(disp.step),
        format=disp.fmt,
        key=key,
        placeholder=placeholder,
        help=help_text(map_path),
        on_change=_on_map_entry,
        args=(path, key, map_path, entry),
    )
    show_errors(path, where)


def shares_form(
    map_path: str,
    keys: Mapping[str, str],
    title: str,
    submit_label: str,
    where: Any = st,
    must_total: bool = True,
) -> None:
    """A form of percentages for a map of shares, applied together (so they can add up to 100%)."""
    disp = display_for(map_path)
    current = value_at(state.scenario(), map_path)
    with where.form(key=f"form:{map_path}", border=True):
        st.markdown(f"**{title}**")
        cols = st.columns(len(keys))
        for col, (k, label) in zip(cols, keys.items(), strict=True):
            key = lever_key(f"{map_path}.{k}")
            state.seed(key, disp.to_widget(current[k]))
            col.number_input(f"{label} (%)", step=1.0, format="%.1f", key=key)
        total = sum(disp.to_widget(current[k]) for k in keys)
        st.caption(
            (f"Currently adds up to {total:.1f}%. " if must_total else "")
            + _baseline_note(map_path)
            + default_caption(map_path)
        )
        st.form_submit_button(submit_label, on_click=_on_shares, args=(map_path, tuple(keys)))
    show_errors(map_path, where)


def _on_shares(map_path: str, keys: tuple[str, ...]) -> None:
    disp = display_for(map_path)
    values = {k: st.session_state.get(lever_key(f"{map_path}.{k}")) for k in keys}
    missing = [k for k, v in values.items() if v is None]
    if missing:
        state.record_errors(map_path, [f"**{describe_path(map_path)}**: fill in every share."])
        return
    current = value_at(state.scenario(), map_path) or {}
    new = {}
    for k, v in values.items():
        x = disp.from_widget(v)
        # a share shown as 12.96% and applied unchanged is not a change (0.1296 vs 12.96 / 100)
        old = current.get(k)
        new[k] = old if isinstance(old, (int, float)) and abs(x - old) < 1e-9 else x
    state.apply_changes({map_path: new}, map_path)


def table_editor(
    map_path: str,
    frame: pd.DataFrame,
    to_value: Callable[[pd.DataFrame], Any],
    title: str,
    submit_label: str,
    column_config: Mapping[str, Any],
    where: Any = st,
    dynamic_rows: bool = False,
) -> None:
    """An editable table (placement mixes, usual moves) applied with one button.

    The editor's key includes a fingerprint of the current value, so it starts afresh whenever
    the scenario changes (reset, preset, upload) and keeps the user's edits after a rejected apply.
    """
    fingerprint = hashlib.sha1(repr(value_at(state.scenario(), map_path)).encode()).hexdigest()[:12]
    key = f"editor:{map_path}:{fingerprint}"
    with where.form(key=f"form:{map_path}", border=True):
        st.markdown(f"**{title}**")
        st.data_editor(
            frame,
            key=key,
            hide_index=True,
            width="stretch",
            num_rows="dynamic" if dynamic_rows else "fixed",
            column_config=dict(column_config),
        )
        st.caption(default_caption(map_path))
        st.form_submit_button(submit_label, on_click=_on_table, args=(map_path, key, frame, to_value))
    show_errors(map_path, where)


def apply_editor_state(frame: pd.DataFrame, edits: Mapping[str, Any]) -> pd.DataFrame:
    """The table as edited: ``frame`` with a data editor's edited, added and deleted rows applied."""
    out = frame.copy()
    for row, changes in (edits.get("edited_rows") or {}).items():
        for col, value in changes.items():
            out.loc[out.index[int(row)], col] = value
    deleted = [out.index[int(i)] for i in (edits.get("deleted_rows") or [])]
    out = out.drop(index=deleted)
    added = [dict(r) for r in (edits.get("added_rows") or [])]
    if added:
        out = pd.concat([out, pd.DataFrame(added)], ignore_index=True)
    return out.reset_index(drop=True)


def _on_table(map_path: str, key: str, frame: pd.DataFrame, to_value: Callable[[pd.DataFrame], Any]) -> None:
    edited = apply_editor_state(frame, st.session_state.get(key) or {})
    try:
        value = to_value(edited)
    except (ValueError, TypeError, KeyError) as exc:
        state.record_errors(map_path, [f"**{describe_path(map_path)}**: {exc}"])
        return
    state.apply_changes({map_path: value}, map_path)


# ---------------------------------------------------------------------------
# Page preferences (kept in session state like the scenario, so they survive page switches)
# ---------------------------------------------------------------------------


def pref_key(name: str) -> str:
    return f"pref:{name}"


def _on_pref(name: str) -> None:
    state.set_pref(name, st.session_state.get(pref_key(name)))


def pref_toggle(name: str, label: str, help: str | None = None, where: Any = st) -> bool:
    """A switch bound to a page preference."""
    state.seed(pref_key(name), bool(state.pref(name)))
    where.toggle(label, key=pref_key(name), help=help, on_change=_on_pref, args=(name,))
    return bool(state.pref(name))


def pref_number(name: str, label: str, lo: int, hi: int, step: int, help: str | None = None, where: Any = st) -> int:
    """A whole-number input bound to a page preference (kept within lo..hi)."""
    value = int(min(max(int(state.pref(name)), lo), hi))
    state.set_pref(name, value)
    state.seed(pref_key(name), value)
    where.number_input(
        label, min_value=lo, max_value=hi, step=step, key=pref_key(name), help=help, on_change=_on_pref, args=(name,)
    )
    return value


def pref_choice(name: str, label: str, options: list[str], where: Any = st) -> str:
    """A segmented choice bound to a page preference (the first option by default)."""
    value = state.pref(name)
    if value not in options:
        value = options[0]
        state.set_pref(name, value)
    state.seed(pref_key(name), value)
    where.segmented_control(label, options, key=pref_key(name), on_change=_on_pref, args=(name,), required=True)
    return value


def pref_multiselect(
    name: str, label: str, options: list[str], default: list[str], limit: int, where: Any = st
) -> list[str]:
    """A multiselect bound to a page preference; choices that no longer exist are dropped."""
    value = state.pref(name)
    value = [v for v in (default if value is None else value) if v in options][:limit]
    state.set_pref(name, value)
    state.seed(pref_key(name), value)
    where.multiselect(label, options, key=pref_key(name), max_selections=limit, on_change=_on_pref, args=(name,))
    return value
