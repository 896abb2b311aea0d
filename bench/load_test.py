"""Many users at once: concurrent sessions driven over Streamlit's websocket protocol.

Run from the repository root (not part of the tests; it takes the machine's CPU for minutes)::

    python bench/load_test.py [--sessions 20] [--duration 180] [--after 60] [--all-band] [--out FILE]

Starts ``streamlit run app.py`` on a free loopback port (headless) with this Python, waits for
``/_stcore/health``, opens one warm-up session (not counted: the first run pays for the imports),
then runs ``--sessions`` sessions at once, arriving over ``--ramp`` seconds. Each speaks the
browser's protocol on ``/_stcore/stream`` (BackMsg ``rerun_script`` with the page, the query
string and widget values; ForwardMsg deltas, ``navigation``, ``page_info_changed`` and
``script_finished`` back) and, thinking 1-3 s before each action, until ``--duration`` is over:

    opens the Overview, then repeats: click a preset -> open the Scenario builder -> change a
    lever (entries, proceedings, costs) -> open another page -> back to the Overview (and,
    every third round, "Reset to defaults").

One session in five (``--band-share``; every session with ``--all-band``) first turns on "Show
the range of outcomes" on the Overview, so each of its Overview runs projects the scenario
stochastically (the app's default number of runs, or ``--band-runs``).

Measured:

- for every action, the seconds from sending the rerun to the ``script_finished`` that ends it
  (a run ended early by ``st.rerun`` is followed to the end): "action to figures";
- errors: an exception element, an error message (``st.error``: the app's "Something went
  wrong" or any other), a compile error, "page not found"; a dropped connection; presets,
  levers and resets that left the share link (hence the scenario) unchanged;
- hangs: no ``script_finished`` within ``--timeout`` seconds (30); the user waits ``--grace``
  seconds more (60: a late answer is timed, which tells a slow server from a stuck one), then
  reloads (a new session);
- the server's memory: RSS of the server process, and of it with its child processes, from
  /proc every second, during the load and for ``--after`` seconds after every session has
  closed (does memory come back?); its CPU seconds (children that ended included);
- the health endpoint every 5 s;
- with ``--profile FILE`` (needs py-spy: ``pip install py-spy``), where the server's CPU goes:
  py-spy samples the thread holding the interpreter lock during the load (the CPU the one lock
  shares out), and the functions of the app and the model holding the
  most samples are printed (the raw stacks are in FILE, for a flame graph).

Prints a summary and writes every figure (each action, each sample) as JSON to ``--out``; the
server's log goes beside it. Exit status 1 when there was an error, a hang or a disconnect.
Server settings for comparisons go through ``--env`` (e.g. ``--env CSC_MODEL_NO_FORK=1``).
Linux only (/proc).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import itertools
import json
import math
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from server_watch import Sampler, healthy, profile_summary, start_server, wait_healthy
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent

OVERVIEW, BUILDER = "Overview", "Scenario builder"  # page titles, as app.py names them
OTHER_PAGES = ("Placements and costs", "Compare scenarios", "Model and assumptions", "Councillor briefing")
# widget keys (app_lib.widgets, app_lib.components)
BAND_KEY, RUNS_KEY, RESET_KEY, PRESET_PREFIX = "pref:stochastic", "pref:runs", "reset", "preset:"
LEVERS = tuple(  # number inputs on the Scenario builder
    "lever:" + path
    for path in [
        "entries.weekly_rate",
        "entries.annual_trend",
        "proceedings.mean_weeks",
        "s20.mean_weeks_to_return_home",
        "costs.annual_inflation",
        "costs.budget_first_year_gbp",
    ]
)
SCENARIO_CHANGES = ("preset", "lever", "reset")  # actions that change the scenario, hence the share link


# ---------------------------------------------------------------------------
# One browser tab over the websocket
# ---------------------------------------------------------------------------


@dataclass
class Action:
    """One rerun asked for by a session, and what came back."""

    session: int
    kind: str  # open, band_on, preset, page, lever, reset
    page: str  # the page the action ended on (or asked for, if it did not end)
    band: bool  # the session shows the range of outcomes
    sent_s: float  # seconds from the start of the load
    latency_s: float | None = None  # send -> final script_finished; None when it never came
    outcome: str = "ok"  # ok, error, hang, disconnect
    problems: list[str] = field(default_factory=list)
    link_changed: bool = False  # the share link (query string) changed: the scenario did


class DriverError(Exception):
    """The driver could not do what it meant to (a widget it looks for is not on the page)."""


def widget_key(element_id: str) -> str:
    """The user key of a widget id ("$$ID-<hash>-<key>"); the id itself when it has none."""
    parts = element_id.split("-", 2)
    return parts[2] if element_id.startswith("$$ID-") and len(parts) == 3 else element_id


class Tab:
    """A browser tab, as the server sees it: one websocket, one Streamlit session."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url, self.timeout_s = url, timeout_s
        self.ws: ClientConnection | None = None
        self.pages: dict[str, str] = {}  # page title -> page_script_hash
        self.page = ""  # title of the page shown
        self.page_hash = ""
        self.query_string = ""  # the address bar: the app keeps the scenario's changes there
        self.widgets: dict[str, Any] = {}  # widget key -> its element (proto) in the last run

    async def connect(self) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        # no pings of our own (a browser sends none); the server's pings are answered
        self.ws = await connect(ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None, open_timeout=30)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def rerun(self, widget_states: list[WidgetState] | None = None, page: str | None = None) -> list[str]:
        """Ask for a rerun (of ``page`` if given) and read until it has finished; returns the problems seen.

        Raises TimeoutError when no final ``script_finished`` comes within the timeout, and
        ConnectionClosed when the server drops the connection.
        """
        if self.ws is None:
            raise ConnectionClosed(None, None)
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        cs.page_script_hash = self.pages.get(page, "") if page is not None else self.page_hash
        cs.context_info.timezone, cs.context_info.locale = "Europe/London", "en-GB"
        cs.context_info.url = self.url + "/"
        cs.widget_states.widgets.extend(widget_states or [])
        await self.ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self.read_until_finished(), self.timeout_s)

    async def read_until_finished(self) -> list[str]:
        assert self.ws is not None
        problems: list[str] = []
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await self.ws.recv())
            kind = fm.WhichOneof("type")
            if kind == "new_session":  # every run starts with one
                self.widgets = {}
                self.page_hash = fm.new_session.page_script_hash
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in fm.navigation.app_pages}
                self.page_hash = fm.navigation.page_script_hash
                self.page = next((t for t, h in self.pages.items() if h == self.page_hash), "")
            elif kind == "page_info_changed":
                self.query_string = fm.page_info_changed.query_string
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self._element(fm.delta.new_element, problems)
            elif kind == "page_not_found":
                problems.append(f"page not found: {fm.page_not_found.page_name!r}")
            elif kind == "session_event" and fm.session_event.HasField("script_compilation_exception"):
                problems.append("compile error: " + fm.session_event.script_compilation_exception.message[:200])
            elif kind == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                if fm.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    problems.append("the script finished with a compile error")
                return problems

    def _element(self, el: Any, problems: list[str]) -> None:
        etype = el.WhichOneof("type")
        proto = getattr(el, etype)
        if etype == "exception" and not proto.is_warning:
            problems.append(f"exception: {proto.type}: {proto.message[:200]}")
        elif etype == "alert" and proto.format == Alert.ERROR:
            problems.append("error message: " + " ".join(proto.body.split())[:200])
        elif getattr(proto, "id", ""):  # a widget
            self.widgets[widget_key(proto.id)] = proto

    # --- what a user does (widget values to send with the rerun) --------------------------

    def find(self, key: str) -> Any:
        if key not in self.widgets:
            raise DriverError(f"no widget {key!r} on the page {self.page!r}")
        return self.widgets[key]

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
        return [k for k, el in self.widgets.items() if k.startswith(PRESET_PREFIX) and not el.disabled]

    def change_a_lever(self, rng: random.Random) -> list[WidgetState]:
        """One of LEVERS on the page, 5-20% up or down (one step up from 0), within its bounds."""
        el = self.find(rng.choice([k for k in LEVERS if k in self.widgets] or [LEVERS[0]]))
        old = el.value if el.set_value else el.default
        new = old * (1 + rng.choice((-1, 1)) * rng.uniform(0.05, 0.2)) if old else el.step
        new = min(max(new, el.min if el.has_min else new), el.max if el.has_max else new)
        new = round(new) if el.data_type == NumberInput.INT else new
        return self.number(widget_key(el.id), new if new != old else old + el.step)


# ---------------------------------------------------------------------------
# One user
# ---------------------------------------------------------------------------


@dataclass
class Plan:
    url: str
    t0: float  # time.monotonic() at the start of the load
    deadline: float  # time.monotonic() after which no action starts
    timeout_s: float
    grace_s: float  # after a hang, how much longer the user waits before reloading
    band_runs: int | None
    max_actions: int


async def run_user(n: int, band: bool, plan: Plan, actions: list[Action], driver_problems: list[str]) -> None:
    """One user until the deadline; after a hang or a dropped connection, a new tab (a reload)."""
    rng = random.Random(n)
    done = 0

    async def step(tab: Tab, kind: str, states: Callable[[], list[WidgetState]] | None = None, page: str = "") -> bool:
        """Think 1-3 s, then one timed action; False when the tab is lost or the time is up."""
        nonlocal done
        if kind != "open":
            await asyncio.sleep(rng.uniform(1.0, 3.0))
        if time.monotonic() >= plan.deadline or done >= plan.max_actions:
            return False
        done += 1
        widget_states = states() if states else None  # from the widgets of the latest run
        sent = time.monotonic()
        rec = Action(n, kind, page or tab.page, band, round(sent - plan.t0, 3))
        link = tab.query_string
        try:
            rec.problems = await tab.rerun(widget_states, page or None)
            rec.latency_s = round(time.monotonic() - sent, 4)
            rec.page, rec.link_changed = tab.page, tab.query_string != link
            rec.outcome = "error" if rec.problems else "ok"
        except TimeoutError:  # a hang; wait a while longer to tell a slow answer from none at all
            rec.outcome = "hang"
            try:
                late = await asyncio.wait_for(tab.read_until_finished(), plan.grace_s)
                rec.latency_s = round(time.monotonic() - sent, 4)
                rec.problems = [f"no script_finished within {plan.timeout_s:g} s (it came later)", *late]
            except TimeoutError:
                rec.problems = [f"no script_finished within {plan.timeout_s + plan.grace_s:g} s (the user reloads)"]
            except (ConnectionClosed, OSError) as exc:
                rec.problems = [f"no script_finished within {plan.timeout_s:g} s, then connection lost: {exc!r}"[:200]]
        except (ConnectionClosed, OSError) as exc:
            rec.outcome, rec.problems = "disconnect", [f"connection lost: {exc!r}"[:200]]
        actions.append(rec)
        return rec.outcome in ("ok", "error") or rec.latency_s is not None

    while time.monotonic() < plan.deadline and done < plan.max_actions:
        tab = Tab(plan.url, plan.timeout_s)
        try:
            await tab.connect()
            await user_rounds(tab, band, plan, rng, step)
        except (OSError, TimeoutError, ConnectionClosed) as exc:
            actions.append(Action(n, "open", "", band, round(time.monotonic() - plan.t0, 3), outcome="disconnect"))
            actions[-1].problems = [f"could not connect: {exc!r}"[:200]]
            await asyncio.sleep(5)
        except DriverError as exc:
            driver_problems.append(f"user {n}: {exc}")
            await asyncio.sleep(1)
        finally:
            await tab.close()


async def user_rounds(tab: Tab, band: bool, plan: Plan, rng: random.Random, step: Any) -> None:
    """The sequence of one tab: open, the band (some users), then rounds until ``step`` says stop."""
    if not await step(tab, "open"):
        return
    if tab.page != OVERVIEW:
        raise DriverError(f"the app opened on {tab.page!r}, not the {OVERVIEW}")
    if band and not await step(tab, "band_on", lambda: tab.toggle(BAND_KEY, True)):
        return
    if band and plan.band_runs and not await step(tab, "band_on", lambda: tab.number(RUNS_KEY, plan.band_runs)):
        return
    for round_no in itertools.count(1):
        presets = tab.enabled_presets()  # all applied: reset instead
        going = (
            await step(tab, "preset", lambda p=presets: tab.click(rng.choice(p)))
            if presets
            else await step(tab, "reset", lambda: tab.click(RESET_KEY))
        )
        going = (
            going
            and await step(tab, "page", page=BUILDER)
            and await step(tab, "lever", lambda: tab.change_a_lever(rng))
            and await step(tab, "page", page=rng.choice(OTHER_PAGES))
            and await step(tab, "page", page=OVERVIEW)
            and (round_no % 3 != 0 or await step(tab, "reset", lambda: tab.click(RESET_KEY)))
        )
        if not going:
            return


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------


def latency_row(actions: list[Action]) -> dict[str, Any]:
    times = sorted(a.latency_s for a in actions if a.latency_s is not None)
    return {
        "actions": len(actions),
        "timed": len(times),
        "median_s": round(statistics.median(times), 3) if times else None,
        "p95_s": times[math.ceil(0.95 * len(times)) - 1] if times else None,  # nearest rank
        "max_s": times[-1] if times else None,
    }


def summarise(actions: list[Action], samples: list[dict[str, Any]], health: list[tuple[float, bool]]) -> dict[str, Any]:
    problems = collections.Counter(p for a in actions for p in a.problems)
    load = [s for s in samples if s["phase"] == "load"]
    after = [s for s in samples if s["phase"] == "after"]
    timed = sum(a.latency_s is not None for a in actions)
    memory = {}
    if load:
        cpu = round(load[-1]["cpu_s"] - load[0]["cpu_s"], 1)
        memory = {
            "server_rss_mb_start": load[0]["server_rss_mb"],
            "server_rss_mb_peak": max(s["server_rss_mb"] for s in samples),
            "tree_rss_mb_peak": max(s["tree_rss_mb"] for s in samples),
            "processes_peak": max(s["processes"] for s in samples),
            "server_rss_mb_end_of_load": load[-1]["server_rss_mb"],
            "server_rss_mb_end_of_after": after[-1]["server_rss_mb"] if after else None,
            "server_rss_mb_min_after": min(s["server_rss_mb"] for s in after) if after else None,
            "server_cpu_s_load": cpu,
            "server_cpu_s_per_action": round(cpu / timed, 3) if timed else None,
            "server_cpu_share_load": round(cpu / max(1e-9, load[-1]["t_s"] - load[0]["t_s"]), 2),  # 1.0 = one core
        }
    return {
        "sessions": len({a.session for a in actions}),
        "band_sessions": len({a.session for a in actions if a.band}),
        "all": latency_row(actions),
        "by_kind": {k: latency_row([a for a in actions if a.kind == k]) for k in sorted({a.kind for a in actions})},
        "by_page": {
            p: latency_row([a for a in actions if a.kind == "page" and a.page == p])
            for p in sorted({a.page for a in actions if a.kind == "page"})
        },
        "band_sessions_all": latency_row([a for a in actions if a.band]),
        "errors": sum(a.outcome == "error" for a in actions),
        "hangs": sum(a.outcome == "hang" for a in actions),
        "hangs_never_finished": sum(a.outcome == "hang" and a.latency_s is None for a in actions),
        "disconnects": sum(a.outcome == "disconnect" for a in actions),
        "without_effect": sum(a.kind in SCENARIO_CHANGES and a.outcome == "ok" and not a.link_changed for a in actions),
        "problems": dict(problems.most_common()),
        "health_failures_at_s": [t for t, ok in health if not ok],
        "memory": memory,
    }


def print_summary(s: dict[str, Any], args: argparse.Namespace) -> None:
    def row(name: str, r: dict[str, Any]) -> None:
        if not r["timed"]:
            print(f"  {name:<30} {r['actions']:>5} actions, none finished")
            return
        figures = f"median {r['median_s']:6.2f} s   p95 {r['p95_s']:6.2f} s   max {r['max_s']:6.2f} s"
        print(f"  {name:<30} {r['actions']:>5} actions   {figures}")

    print(f"\n{s['sessions']} sessions ({s['band_sessions']} with the range of outcomes) for {args.duration:g} s")
    print("action to figures (rerun sent -> script_finished):")
    row("all", s["all"])
    for kind, r in s["by_kind"].items():
        row(kind, r)
    for page, r in s["by_page"].items():
        row(f"page: {page}", r)
    if s["band_sessions"]:
        row("every action of band sessions", s["band_sessions_all"])
    print(f"errors {s['errors']}, hangs {s['hangs']} ({s['hangs_never_finished']} never finished), "
          f"disconnects {s['disconnects']}, "
          f"scenario changes without effect {s['without_effect']}")  # fmt: skip
    for text, count in list(s["problems"].items())[:10]:
        print(f"  {count:>4} x {text}")
    if s["health_failures_at_s"]:
        print(f"health check failed {len(s['health_failures_at_s'])} times, at (s): {s['health_failures_at_s'][:10]}")
    m = s["memory"]
    if m:
        print(
            f"server RSS: {m['server_rss_mb_start']:.0f} MB at the start, peak {m['server_rss_mb_peak']:.0f} MB "
            f"(with its children {m['tree_rss_mb_peak']:.0f} MB, up to {m['processes_peak']} processes), "
            f"{m['server_rss_mb_end_of_load']:.0f} MB when the sessions ended, {m['server_rss_mb_end_of_after']} MB "
            f"{args.after:g} s later (lowest {m['server_rss_mb_min_after']} MB)"
        )
        print(
            f"server CPU during the load: {m['server_cpu_s_load']} s ({m['server_cpu_share_load']} cores busy), "
            f"{m['server_cpu_s_per_action']} s per action"
        )


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


async def load(url: str, args: argparse.Namespace, t0: float) -> tuple[list[Action], list[str]]:
    actions: list[Action] = []
    driver_problems: list[str] = []
    plan = Plan(url, t0, t0 + args.duration, args.timeout, args.grace, args.band_runs, args.max_actions)
    n_band = args.sessions if args.all_band else round(args.sessions * args.band_share)
    band = set(random.Random(0).sample(range(args.sessions), n_band))

    async def arrive(n: int) -> None:
        await asyncio.sleep(args.ramp * n / args.sessions)
        await run_user(n, n in band, plan, actions, driver_problems)

    await asyncio.gather(*(arrive(n) for n in range(args.sessions)))
    return actions, driver_problems


async def warm_up(url: str) -> float:
    tab = Tab(url, 120.0)
    await tab.connect()
    t = time.monotonic()
    problems = await tab.rerun()
    await tab.close()
    if problems:
        print("warm-up problems:", problems)
    return time.monotonic() - t


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    ap.add_argument("--duration", type=float, default=180.0, help="seconds of load (default 180)")
    ap.add_argument("--after", type=float, default=60.0, help="seconds of sampling after the sessions close (60)")
    ap.add_argument("--all-band", action="store_true", help="every session shows the range of outcomes")
    ap.add_argument("--band-share", type=float, default=0.2, help="share of sessions with the band (default 0.2)")
    ap.add_argument("--band-runs", type=int, help="simulation runs the band sessions choose (default: the app's)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds without script_finished = a hang (30)")
    ap.add_argument("--grace", type=float, default=60.0, help="after a hang, seconds more before a reload (60)")
    ap.add_argument("--ramp", type=float, default=10.0, help="seconds over which the sessions arrive (10)")
    ap.add_argument("--max-actions", type=int, default=1000, help="bound on each session's actions (1000)")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="for the server; repeatable")
    ap.add_argument("--profile", type=Path, metavar="FILE", help="py-spy's raw stacks of the server to FILE")
    ap.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy", help="the py-spy program")
    ap.add_argument("--out", type=Path, help="JSON of the raw figures (default: in the temporary folder)")
    args = ap.parse_args(argv)
    if args.sessions < 1 or args.duration <= 0 or not 0 <= args.band_share <= 1:
        ap.error("--sessions must be at least 1, --duration above 0 and --band-share from 0 to 1")
    if args.profile and not shutil.which(args.py_spy):
        ap.error(f"--profile needs py-spy ({args.py_spy!r} was not found): pip install py-spy, or give --py-spy PATH")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or Path(tempfile.gettempdir()) / f"csc_load_test_{stamp}.json"
    log_path = out.with_suffix(".server.log")
    env = dict(os.environ, **dict(e.split("=", 1) for e in args.env))
    with open(log_path, "wb") as log:
        server, url = start_server(env, log)
    spy = None
    try:
        wait_healthy(url, server)
        print(f"server {url} (pid {server.pid}), log {log_path}; load average {os.getloadavg()[0]:.2f}")
        print(f"warm-up session: first run {asyncio.run(warm_up(url)):.2f} s (not counted)")
        if args.profile:
            spy_cmd = [args.py_spy, "record", "--pid", str(server.pid), "--rate", "20", "--format", "raw", "--gil"]
            spy_cmd += ["--function", "--nonblocking", "--subprocesses", "--output", str(args.profile)]
            spy = subprocess.Popen(spy_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        load_avg = {"before": os.getloadavg()[0]}
        t0 = time.monotonic()
        sampler = Sampler(server.pid, url, t0)
        sampler.start()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        actions, driver_problems = asyncio.run(load(url, args, t0))
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        load_avg["end_of_load"] = os.getloadavg()[0]  # 1-minute load averages: other work on the machine
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file and stops
            spy.wait(timeout=60)
        sampler.phase = "after"
        print(f"sessions closed after {time.monotonic() - t0:.0f} s; sampling the server for {args.after:g} s more")
        time.sleep(args.after)
        sampler.stop()
        alive = server.poll() is None and healthy(url)
    finally:
        if spy is not None and spy.poll() is None:
            spy.kill()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    summary = summarise(actions, sampler.samples, sampler.health)
    summary["driver_cpu_s"] = round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1)
    summary["server_healthy_at_end"] = alive
    summary["load_average_1min"] = load_avg
    summary["driver_problems"] = driver_problems
    summary["server_log_tracebacks"] = log_path.read_text(errors="replace").count("Traceback")
    print_summary(summary, args)
    print(f"machine load average {load_avg['before']:.1f} before, {load_avg['end_of_load']:.1f} at the end "
          f"({os.cpu_count()} CPUs); load generator CPU {summary['driver_cpu_s']} s")  # fmt: skip
    print(f"server healthy at the end: {alive}; "
          f"tracebacks in the server log: {summary['server_log_tracebacks']}")  # fmt: skip
    for p in driver_problems[:5]:
        print("driver:", p)
    if args.profile and args.profile.is_file():
        summary["profile"] = profile_summary(args.profile, rate=20)
        prof = summary["profile"]
        print(f"profile: {prof['thread_s']} thread-seconds sampled; the share in the project's functions:")
        for frame, _n, share in prof["project_functions"]:
            print(f"  {share:5.1f}%  {frame}")
    record = {
        "command": [sys.argv[0], *(argv if argv is not None else sys.argv[1:])],
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "started_utc": stamp,
        "cpu_count": os.cpu_count(),
        "commit": commit(),
        "summary": summary,
        "actions": [asdict(a) for a in actions],
        "samples": sampler.samples,
        "health": sampler.health,
    }
    out.write_text(json.dumps(record, indent=1))
    print(f"raw figures: {out}")
    return 0 if summary["errors"] == summary["hangs"] == summary["disconnects"] == 0 else 1


def commit() -> str:
    """The commit measured, marked when the work tree has changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return head.stdout.strip() + (" (uncommitted changes)" if dirty.stdout.strip() else "")


if __name__ == "__main__":
    sys.exit(main())
