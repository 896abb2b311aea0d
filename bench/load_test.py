"""Many users at once: concurrent sessions driven over Streamlit's websocket protocol.

Run from the repository root (not part of the tests; it takes the machine's CPU for minutes)::

    python bench/load_test.py [--sessions 20] [--duration 180] [--after 60] [--all-band] [--out FILE]

Starts ``streamlit run app.py`` on a free loopback port (headless) with this Python, waits for
``/_stcore/health``, opens one warm-up session (not counted: the first run pays for the imports),
then runs ``--sessions`` sessions at once. Each speaks the browser's protocol on
``/_stcore/stream`` (BackMsg ``rerun_script`` with the page, the query string and widget values
in; ForwardMsg deltas, ``navigation``, ``page_info_changed`` and ``script_finished`` out) and,
with a think time of 1-3 s between actions and until ``--duration`` is over, repeats:

    click a preset on the Overview -> open the Scenario builder -> change a lever (entries,
    proceedings, costs) -> open another page -> back to the Overview (and, every third
    round, "Reset to defaults").

One session in five (``--band-share``; every session with ``--all-band``) first turns on
"Show the range of outcomes" on the Overview, so each later Overview run projects the
scenario stochastically (the app's default 200 runs, or ``--band-runs``).

Measured:

- for every action, the seconds from sending the rerun to the ``script_finished`` that ends it
  (runs ended early by ``st.rerun`` are followed to the end): "action to figures";
- errors: an exception element, an error alert (``st.error``: the app's "Something went
  wrong" and any other), a compile error, "page not found", a dropped connection;
- hangs: no ``script_finished`` within ``--timeout`` seconds (the session then reconnects);
- the server's memory: RSS of the server process and of the server with its child processes,
  from /proc every second, during the run and for ``--after`` seconds after every session has
  closed (does memory come back?); its CPU seconds (children that ended included);
- the health endpoint every 5 s (a hung server often still answers it, sometimes not).

Prints a summary and writes every figure (each action, each sample) as JSON to ``--out``.
Server options for comparisons go through ``--env`` (e.g. ``--env CSC_MODEL_NO_FORK=1``).
Linux only (/proc).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

OVERVIEW, BUILDER = "Overview", "Scenario builder"
OTHER_PAGES = ("Placements and costs", "Compare scenarios", "Model and assumptions", "Councillor briefing")
BAND_KEY, RUNS_KEY, RESET_KEY = "pref:stochastic", "pref:runs", "reset"
PRESET_PREFIX = "preset:"
SCENARIO_CHANGES = ("preset", "lever", "reset")  # actions that change the scenario, hence the share link
# Levers a user tries on the Scenario builder (number inputs, keys from app_lib.widgets.lever_key).
LEVERS = (
    "lever:entries.weekly_rate",
    "lever:entries.annual_trend",
    "lever:proceedings.mean_weeks",
    "lever:s20.mean_weeks_to_return_home",
    "lever:costs.annual_inflation",
    "lever:costs.budget_first_year_gbp",
)


# ---------------------------------------------------------------------------
# One session over the websocket
# ---------------------------------------------------------------------------


@dataclass
class Action:
    """One rerun asked for by a session, and what came back."""

    session: int
    kind: str  # open, preset, lever, page, band_on, reset
    page: str  # the page the action ends on (or asked for)
    band: bool  # the session shows the range of outcomes
    sent_s: float  # seconds from the start of the load
    latency_s: float | None  # send -> final script_finished; None on a hang or disconnect
    outcome: str  # ok, error, hang, disconnect
    problems: list[str] = field(default_factory=list)
    link_changed: bool = False  # the share link (query string) changed: the scenario did


class DriverError(Exception):
    """The driver could not do what it meant to (a widget it looks for is not on the page)."""


def widget_key(element_id: str) -> str:
    """The user key of a widget id ("$$ID-<hash>-<key>"); the id itself when it has no key."""
    parts = element_id.split("-", 2)
    return parts[2] if element_id.startswith("$$ID-") and len(parts) == 3 else element_id


class AppSession:
    """A browser tab, as the server sees it: one websocket, one Streamlit session."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.ws: ClientConnection | None = None
        self.pages: dict[str, tuple[str, str]] = {}  # title -> (page_script_hash, url path)
        self.page = ""  # title of the page shown
        self.page_hash = ""
        self.query_string = ""
        self.widgets: dict[str, tuple[str, Any]] = {}  # key -> (element type, proto) of the last run

    async def connect(self) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        # ping_interval=None: the server pings us (and we answer); a browser sends no pings of its own
        self.ws = await connect(ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None, open_timeout=30)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def rerun(self, widget_states: list[WidgetState] | None = None, page: str | None = None) -> list[str]:
        """Ask for a rerun (on ``page`` if given) and read until it has finished; returns the problems seen.

        Raises TimeoutError when no final ``script_finished`` comes within the timeout, and
        ConnectionClosed when the server drops the connection.
        """
        if self.ws is None:
            raise ConnectionClosed(None, None)
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        if page is not None:
            cs.page_script_hash = self.pages[page][0] if page in self.pages else ""
        else:
            cs.page_script_hash = self.page_hash
        cs.context_info.timezone = "Europe/London"
        cs.context_info.locale = "en-GB"
        cs.context_info.url = self.url + "/"
        cs.widget_states.widgets.extend(widget_states or [])
        await self.ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._read_until_finished(), self.timeout_s)

    async def _read_until_finished(self) -> list[str]:
        assert self.ws is not None
        problems: list[str] = []
        while True:
            raw = await self.ws.recv()
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":  # every run starts with one
                self.widgets = {}
                self.page_hash = fm.new_session.page_script_hash
            elif kind == "navigation":
                self.pages = {p.page_name: (p.page_script_hash, p.url_pathname) for p in fm.navigation.app_pages}
                self.page_hash = fm.navigation.page_script_hash
                self.page = next((t for t, (h, _) in self.pages.items() if h == self.page_hash), "")
            elif kind == "page_info_changed":
                self.query_string = fm.page_info_changed.query_string
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self._element(fm.delta.new_element, problems)
            elif kind == "page_not_found":
                problems.append(f"page not found: {fm.page_not_found.page_name!r}")
            elif kind == "session_event" and fm.session_event.HasField("script_compilation_exception"):
                problems.append("compile error: " + fm.session_event.script_compilation_exception.message[:200])
            elif kind == "script_finished":
                if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun / switch_page: the next run follows
                if fm.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    problems.append("script finished with a compile error")
                return problems

    def _element(self, el: Any, problems: list[str]) -> None:
        etype = el.WhichOneof("type")
        proto = getattr(el, etype)
        if etype == "exception" and not proto.is_warning:
            problems.append(f"exception: {proto.type}: {proto.message[:200]}")
        elif etype == "alert" and proto.format == Alert.ERROR:
            problems.append("error message: " + " ".join(proto.body.split())[:200])
        element_id = getattr(proto, "id", "") if etype not in ("exception", "alert") else ""
        if element_id:
            self.widgets[widget_key(element_id)] = (etype, proto)

    # --- what a user does -------------------------------------------------------------

    def find(self, key: str) -> Any:
        if key not in self.widgets:
            raise DriverError(f"no widget {key!r} on the page {self.page!r}")
        return self.widgets[key][1]

    def click(self, key: str) -> list[WidgetState]:
        return [WidgetState(id=self.find(key).id, trigger_value=True)]

    def toggle(self, key: str, on: bool) -> list[WidgetState]:
        return [WidgetState(id=self.find(key).id, bool_value=on)]

    def number(self, key: str, value: float) -> list[WidgetState]:
        el = self.find(key)
        if el.data_type == NumberInput.INT:
            return [WidgetState(id=el.id, int_value=int(value))]
        return [WidgetState(id=el.id, double_value=float(value))]

    def enabled_presets(self) -> list[str]:
        return [k for k, (t, p) in self.widgets.items() if k.startswith(PRESET_PREFIX) and not p.disabled]

    def changed_lever(self, rng: random.Random) -> tuple[str, float]:
        """A lever on the page and a new value for it: 5-20% up or down, within its bounds."""
        key = rng.choice([k for k in LEVERS if k in self.widgets] or [LEVERS[0]])
        el = self.find(key)
        old = el.value if el.set_value else el.default
        new = old * rng.choice((-1, 1)) * rng.uniform(0.05, 0.2) + old if old else old + el.step
        if el.has_min:
            new = max(new, el.min)
        if el.has_max:
            new = min(new, el.max)
        if el.data_type == NumberInput.INT:
            new = round(new)
        return key, (new if new != old else old + el.step)


# ---------------------------------------------------------------------------
# The user's sequence
# ---------------------------------------------------------------------------


@dataclass
class Plan:
    url: str
    deadline: float  # time.monotonic() when sessions stop starting actions
    t0: float  # time.monotonic() at the start of the load
    timeout_s: float
    band_runs: int | None
    max_actions: int


async def run_session(n: int, band: bool, plan: Plan, actions: list[Action], driver_problems: list[str]) -> None:
    """One user, until the deadline: open, (band on), then rounds of preset, builder, lever, pages."""
    rng = random.Random(n)
    done = 0

    async def act(app: AppSession, kind: str, states: list[WidgetState] | None = None, page: str | None = None) -> bool:
        """One action with its timing; False when the session is lost (hang or dropped connection)."""
        nonlocal done
        done += 1
        sent = time.monotonic()
        rec = Action(n, kind, page or app.page, band, round(sent - plan.t0, 3), None, "ok")
        link = app.query_string
        try:
            problems = await app.rerun(states, page)
            rec.latency_s = round(time.monotonic() - sent, 4)
            rec.page, rec.link_changed = app.page, app.query_string != link
            if problems:
                rec.outcome, rec.problems = "error", problems
        except TimeoutError:
            rec.outcome, rec.problems = "hang", [f"no script_finished within {plan.timeout_s:g} s"]
        except (ConnectionClosed, OSError) as exc:
            rec.outcome, rec.problems = "disconnect", [f"connection lost: {exc!r}"[:200]]
        actions.append(rec)
        return rec.outcome in ("ok", "error")

    async def think() -> bool:
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        return time.monotonic() < plan.deadline and done < plan.max_actions

    while time.monotonic() < plan.deadline and done < plan.max_actions:  # one pass per connection
        app = AppSession(plan.url, plan.timeout_s)
        try:
            await app.connect()
        except (OSError, TimeoutError, ConnectionClosed) as exc:
            actions.append(Action(n, "open", "", band, round(time.monotonic() - plan.t0, 3), None, "disconnect"))
            actions[-1].problems = [f"could not connect: {exc!r}"[:200]]
            await asyncio.sleep(5)
            continue
        try:
            await _user_rounds(app, band, plan, rng, act, think)
        except DriverError as exc:
            driver_problems.append(f"session {n}: {exc}")
            await asyncio.sleep(1)
        finally:
            await app.close()


async def _user_rounds(app: AppSession, band: bool, plan: Plan, rng: random.Random, act: Any, think: Any) -> None:
    if not await act(app, "open"):
        return
    if app.page != OVERVIEW:
        raise DriverError(f"the app opened on {app.page!r}, not the {OVERVIEW}")
    if band:
        if not await think() or not await act(app, "band_on", app.toggle(BAND_KEY, True)):
            return
        if plan.band_runs is not None:
            if not await think() or not await act(app, "band_on", app.number(RUNS_KEY, plan.band_runs)):
                return
    round_no = 0
    while True:
        round_no += 1
        presets = app.enabled_presets()
        if presets:
            step = ("preset", app.click(rng.choice(presets)), None)
        else:
            step = ("reset", app.click(RESET_KEY), None)
        if not await think() or not await act(app, step[0], step[1]):
            return
        if not await think() or not await act(app, "page", page=BUILDER):
            return
        key, value = app.changed_lever(rng)
        if not await think() or not await act(app, "lever", app.number(key, value)):
            return
        if not await think() or not await act(app, "page", page=rng.choice(OTHER_PAGES)):
            return
        if not await think() or not await act(app, "page", page=OVERVIEW):
            return
        if round_no % 3 == 0 and (not await think() or not await act(app, "reset", app.click(RESET_KEY))):
            return


# ---------------------------------------------------------------------------
# The server, its memory and its health
# ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str, timeout_s: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout_s) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout_s: float = 90.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped (status {server.returncode}) before it was healthy")
        if _healthy(url, 2):
            return
        time.sleep(0.3)
    raise RuntimeError(f"the server at {url} did not answer its health check within {timeout_s:g} s")


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from "state" on (the name may hold spaces)


def tree_sample(root: int) -> dict[str, float] | None:
    """RSS (MB) of ``root`` and of ``root`` with its descendants, their count, and CPU seconds.

    CPU: user + system time of the root, of its live descendants, and of children it has
    reaped (cutime + cstime). Children's RSS counts pages they share with the server again.
    """
    stats: dict[int, list[str]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            st = _proc_stat(int(entry.name))
            if st is not None:
                stats[int(entry.name)] = st
    if root not in stats:
        return None
    children: dict[int, list[int]] = {}
    for pid, st in stats.items():
        children.setdefault(int(st[1]), []).append(pid)  # st[1] is the parent pid
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))

    def rss(pid: int) -> float:
        return int(stats[pid][21]) * PAGE_SIZE / 2**20  # field 24 (rss, pages)

    def cpu(pid: int, reaped: bool = False) -> float:
        st = stats[pid]  # fields 14-17: utime, stime, cutime, cstime
        ticks = int(st[11]) + int(st[12]) + ((int(st[13]) + int(st[14])) if reaped else 0)
        return ticks / CLOCK_TICKS

    return {
        "server_rss_mb": round(rss(root), 1),
        "tree_rss_mb": round(sum(rss(p) for p in tree), 1),
        "processes": len(tree),
        "cpu_s": round(cpu(root, reaped=True) + sum(cpu(p) for p in tree if p != root), 2),
    }


class Sampler(threading.Thread):
    """Samples the server's memory and CPU every second, and its health every 5 s, in a thread."""

    def __init__(self, pid: int, url: str, t0: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.url, self.t0 = pid, url, t0
        self.samples: list[dict[str, Any]] = []
        self.health: list[tuple[float, bool]] = []
        self.phase = "load"
        self._stop_event = threading.Event()

    def run(self) -> None:
        next_health = 0.0
        while not self._stop_event.is_set():
            now = time.monotonic()
            sample = tree_sample(self.pid)
            if sample is not None:
                self.samples.append({"t_s": round(now - self.t0, 2), "phase": self.phase, **sample})
            if now >= next_health:
                self.health.append((round(now - self.t0, 2), _healthy(self.url)))
                next_health = time.monotonic() + 5.0
            self._stop_event.wait(max(0.0, 1.0 - (time.monotonic() - now)))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def latency_row(actions: list[Action]) -> dict[str, Any]:
    times = [a.latency_s for a in actions if a.latency_s is not None]
    return {
        "actions": len(actions),
        "timed": len(times),
        "median_s": round(statistics.median(times), 3) if times else None,
        "p95_s": round(pct(times, 95), 3) if times else None,
        "max_s": round(max(times), 3) if times else None,
    }


def summarise(actions: list[Action], samples: list[dict[str, Any]], health: list[tuple[float, bool]]) -> dict[str, Any]:
    by_kind = {k: latency_row([a for a in actions if a.kind == k]) for k in sorted({a.kind for a in actions})}
    by_page = {
        p: latency_row([a for a in actions if a.kind == "page" and a.page == p])
        for p in sorted({a.page for a in actions if a.kind == "page"})
    }
    problems: dict[str, int] = {}
    for a in actions:
        for p in a.problems:
            problems[p] = problems.get(p, 0) + 1
    load = [s for s in samples if s["phase"] == "load"]
    after = [s for s in samples if s["phase"] == "after"]
    memory: dict[str, Any] = {}
    if samples:
        memory = {
            "server_rss_mb_start": samples[0]["server_rss_mb"],
            "server_rss_mb_peak": max(s["server_rss_mb"] for s in samples),
            "tree_rss_mb_peak": max(s["tree_rss_mb"] for s in samples),
            "processes_peak": max(s["processes"] for s in samples),
            "server_rss_mb_end_of_load": load[-1]["server_rss_mb"] if load else None,
            "server_rss_mb_end_of_after": after[-1]["server_rss_mb"] if after else None,
            "tree_rss_mb_end_of_after": after[-1]["tree_rss_mb"] if after else None,
            "server_cpu_s_load": round(load[-1]["cpu_s"] - load[0]["cpu_s"], 1) if len(load) > 1 else None,
        }
    timed = [a for a in actions if a.latency_s is not None]
    return {
        "sessions": len({a.session for a in actions}),
        "band_sessions": len({a.session for a in actions if a.band}),
        "all": latency_row(actions),
        "by_kind": by_kind,
        "by_page": by_page,
        "band_sessions_latency": latency_row([a for a in actions if a.band]),
        "errors": sum(a.outcome == "error" for a in actions),
        # a preset, lever or reset that left the share link as it was did not change the scenario
        "without_effect": sum(a.kind in SCENARIO_CHANGES and a.outcome == "ok" and not a.link_changed for a in actions),
        "hangs": sum(a.outcome == "hang" for a in actions),
        "disconnects": sum(a.outcome == "disconnect" for a in actions),
        "problems": dict(sorted(problems.items(), key=lambda kv: -kv[1])),
        "health_failures": [t for t, ok in health if not ok],
        "memory": memory,
        "server_cpu_s_per_action": (
            round(memory["server_cpu_s_load"] / len(timed), 3) if memory.get("server_cpu_s_load") and timed else None
        ),
    }


def print_summary(s: dict[str, Any], args: argparse.Namespace) -> None:
    def row(name: str, r: dict[str, Any]) -> str:
        if not r["timed"]:
            return f"  {name:<24} {r['actions']:>5} actions, none timed"
        return (
            f"  {name:<24} {r['actions']:>5} actions  median {r['median_s']:6.2f} s  "
            f"p95 {r['p95_s']:6.2f} s  max {r['max_s']:6.2f} s"
        )

    print(f"\n{s['sessions']} sessions ({s['band_sessions']} with the range of outcomes), {args.duration:g} s")
    print("action to figures (send rerun -> script_finished):")
    print(row("all", s["all"]))
    for kind, r in s["by_kind"].items():
        print(row(kind, r))
    for page, r in s["by_page"].items():
        print(row(f"page: {page}", r))
    if s["band_sessions"]:
        print(row("sessions with the band", s["band_sessions_latency"]))
    print(
        f"errors {s['errors']}, hangs {s['hangs']}, disconnects {s['disconnects']}; "
        f"presets, levers and resets that changed nothing: {s['without_effect']}"
    )
    for text, count in list(s["problems"].items())[:10]:
        print(f"  {count:>4} x {text}")
    if s["health_failures"]:
        print(f"health check failed at {len(s['health_failures'])} checks (s): {s['health_failures'][:10]}")
    m = s["memory"]
    if m:
        print(
            f"server RSS: {m['server_rss_mb_start']:.0f} MB at the start, peak {m['server_rss_mb_peak']:.0f} MB "
            f"(with children {m['tree_rss_mb_peak']:.0f} MB, up to {m['processes_peak']} processes), "
            f"{m['server_rss_mb_end_of_load']} MB when the sessions ended, "
            f"{m['server_rss_mb_end_of_after']} MB after {args.after:g} s more"
        )
        print(f"server CPU during the load: {m['server_cpu_s_load']} s, {s['server_cpu_s_per_action']} s per action")


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


async def load(url: str, args: argparse.Namespace, t0: float) -> tuple[list[Action], list[str]]:
    actions: list[Action] = []
    driver_problems: list[str] = []
    plan = Plan(url, t0 + args.duration, t0, args.timeout, args.band_runs, args.max_actions)
    n_band = args.sessions if args.all_band else round(args.sessions * args.band_share)
    band = set(random.Random(0).sample(range(args.sessions), n_band))

    async def start(n: int) -> None:
        await asyncio.sleep(args.ramp * n / max(1, args.sessions))  # users arrive over the ramp
        await run_session(n, n in band, plan, actions, driver_problems)

    await asyncio.gather(*(start(n) for n in range(args.sessions)))
    return actions, driver_problems


async def warm_up(url: str, timeout_s: float) -> float:
    app = AppSession(url, timeout_s)
    await app.connect()
    t = time.monotonic()
    problems = await app.rerun()
    await app.close()
    if problems:
        print("warm-up problems:", problems)
    return time.monotonic() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    ap.add_argument("--duration", type=float, default=180.0, help="seconds of load (default 180)")
    ap.add_argument("--after", type=float, default=60.0, help="seconds of memory sampling after (default 60)")
    ap.add_argument("--all-band", action="store_true", help="every session shows the range of outcomes")
    ap.add_argument("--band-share", type=float, default=0.2, help="share of sessions with the band (default 0.2)")
    ap.add_argument("--band-runs", type=int, help="simulation runs the band sessions choose (default: the app's)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds without script_finished = a hang")
    ap.add_argument("--ramp", type=float, default=10.0, help="seconds over which the sessions arrive")
    ap.add_argument("--max-actions", type=int, default=1000, help="bound on each session's actions")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="environment for the server")
    ap.add_argument("--out", type=Path, help="JSON file for the raw figures (default: in the temp folder)")
    args = ap.parse_args(argv)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or Path(tempfile.gettempdir()) / f"csc_load_test_{stamp}.json"
    log_path = out.with_suffix(".server.log")

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, **dict(e.split("=", 1) for e in args.env))
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    cmd += ["--server.fileWatcherType", "none"]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(url, server)
        print(f"server {url} (pid {server.pid}), log {log_path}; load average {os.getloadavg()[0]:.2f}")
        print(f"warm-up session: first run {asyncio.run(warm_up(url, 120.0)):.2f} s (not counted)")
        t0 = time.monotonic()
        sampler = Sampler(server.pid, url, t0)
        sampler.start()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        actions, driver_problems = asyncio.run(load(url, args, t0))
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        load_s = time.monotonic() - t0
        sampler.phase = "after"
        print(f"sessions closed after {load_s:.0f} s; sampling memory for {args.after:g} s more")
        time.sleep(args.after)
        sampler.stop()
        alive = server.poll() is None and _healthy(url)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    summary = summarise(actions, sampler.samples, sampler.health)
    summary["driver_cpu_s"] = round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1)
    summary["server_healthy_at_end"] = alive
    summary["driver_problems"] = driver_problems
    print_summary(summary, args)
    print(f"load generator CPU: {summary['driver_cpu_s']} s; server healthy at the end: {alive}")
    for p in driver_problems[:5]:
        print("driver:", p)
    with open(log_path, encoding="utf-8", errors="replace") as f:
        tracebacks = f.read().count("Traceback")
    summary["server_log_tracebacks"] = tracebacks
    print(f"tracebacks in the server log: {tracebacks}")
    record = {
        "command": [sys.argv[0], *(argv if argv is not None else sys.argv[1:])],
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "started_utc": stamp,
        "cpu_count": os.cpu_count(),
        "commit": _commit(),
        "summary": summary,
        "actions": [asdict(a) for a in actions],
        "samples": sampler.samples,
        "health": sampler.health,
    }
    out.write_text(json.dumps(record, indent=1))
    print(f"raw figures: {out}")
    return 0 if summary["errors"] == summary["hangs"] == summary["disconnects"] == 0 else 1


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
        return head.stdout.strip() + (" (uncommitted changes)" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
