"""A one-page take-away brief for councillors: one self-contained HTML file.

The file has no external resources (inline CSS, charts as base64 PNG made offline with
vl-convert), so it opens offline, can be emailed, and prints on one A4 page. Every string
that a user can type (the scenario name above all) is escaped with :func:`html.escape`.

Pure Python apart from Altair/vl-convert: no streamlit here, so the brief can be built in
tests and from the command line.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from html import escape

import altair as alt

from csc_model.reporting.narrative import (
    ROUNDING_STATEMENT,
    Narrative,
    Projection,
    key_assumptions,
    long_date,
    narrate,
)
from csc_model.reporting.wording import PUBLISHED_LABEL_END, lever_source
from csc_model.scenario.config import source_for

from . import briefing_charts as bc

TITLE = "Children in care and placement costs"
KICKER = "Children's Services · Councillor briefing"

CSS = """
@page { size: A4 portrait; margin: 10mm 12mm 9mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #1a1a1a; background: #fff;
  font: 9.5pt/1.35 "Liberation Sans", Arial, Helvetica, sans-serif; }
.sheet { max-width: 184mm; margin: 0 auto; padding: 6mm 0; }
@media print { .sheet { padding: 0; max-width: none; } }
header.masthead { border-bottom: 3px solid #0062a0; padding-bottom: 2mm; margin-bottom: 1mm;
  display: flex; justify-content: space-between; align-items: flex-end; gap: 6mm; }
.kicker { margin: 0 0 1mm; font-size: 8.5pt; letter-spacing: .06em; text-transform: uppercase;
  color: #0062a0; font-weight: bold; }
h1 { margin: 0; font-size: 16pt; line-height: 1.15; }
.scenario { margin: 1mm 0 0; font-size: 10.5pt; }
.meta { margin: 0; text-align: right; font-size: 8.5pt; color: #333; white-space: nowrap; }
h2 { font-size: 11pt; margin: 2.2mm 0 1mm; color: #0a3a5c; border-bottom: 1px solid #c9d6e0;
  padding-bottom: .6mm; break-after: avoid; }
.key { background: #eef4f9; border-left: 5px solid #0062a0; padding: 2mm 3.5mm 2mm 3mm; margin: 0; }
.key ol { margin: 0; padding-left: 5mm; }
.key li { margin: 0 0 .8mm; font-size: 10pt; }
.key li:last-child { margin-bottom: 0; }
.trend { margin: 1.2mm 0 0; font-size: 9pt; }
.rounding { margin: 1mm 0 0; font-size: 8pt; color: #333; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 5mm; margin: 1mm 0 0; }
figure { margin: 0; break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; border: 1px solid #dde3e8; }
figcaption { font-size: 7.5pt; color: #333; margin-top: .8mm; line-height: 1.25; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; line-height: 1.25; }
caption { text-align: left; font-weight: bold; font-size: 8.5pt; padding: 0 0 .6mm; }
th, td { text-align: left; vertical-align: top; padding: .4mm 1.6mm; border-bottom: 1px solid #d5dde3; }
thead th { background: #0a3a5c; color: #fff; font-weight: bold; }
td.num { white-space: nowrap; }
tr.changed td { background: #fff4d6; }
.tag { display: inline-block; font-size: 7.5pt; font-weight: bold; border: 1px solid #7a5a00;
  color: #5c4300; padding: 0 1mm; border-radius: 2px; margin-left: 1mm; }
.src { color: #333; }
table + table { margin-top: 2mm; }
table.assumptions td:first-child { width: 40%; }
table.assumptions td.num { width: 15%; }
table.levers td:first-child { width: 27%; }
table.levers td:nth-child(2) { width: 22%; }
table.levers td:nth-child(3) { width: 25%; }
ul.caveats { margin: 0; padding-left: 4.5mm; font-size: 8pt; line-height: 1.28; columns: 2; column-gap: 7mm; }
ul.caveats li { margin-bottom: .5mm; break-inside: avoid; }
body.dense .key li { font-size: 9.3pt; margin-bottom: .5mm; }
body.dense table, body.dense ul.caveats { font-size: 7.3pt; }
body.dense .trend { font-size: 8.3pt; }
body.dense .charts img { width: 90%; margin: 0 auto; }
body.denser .charts img { width: 80%; }
body.denser .key li { font-size: 9pt; }
body.densest .charts img { width: 72%; }
body.densest table, body.densest ul.caveats { font-size: 7pt; line-height: 1.18; }
body.densest .key li { font-size: 8.8pt; }
body.tightest .charts img { width: 62%; }
body.tightest table, body.tightest ul.caveats { font-size: 6.8pt; line-height: 1.12; }
body.tightest .key li { font-size: 8.5pt; margin-bottom: .3mm; }
body.tightest h2 { margin: 1.4mm 0 .6mm; }
body.tightest .rounding, body.tightest .trend { font-size: 7.5pt; }
footer { margin-top: 2mm; padding-top: 1mm; border-top: 1px solid #c9d6e0; font-size: 7.5pt; color: #333; }
"""


def chart_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes, rendered offline with vl-convert."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_json(), scale=scale)


def chart_png_uri(chart: alt.TopLevelMixin, scale: float = 2.0) -> str:
    """The chart as a ``data:image/png;base64,...`` URI, rendered offline with vl-convert."""
    return "data:image/png;base64," + base64.b64encode(chart_png(chart, scale)).decode("ascii")


def _top_level_cut(text: str, seps: tuple[str, ...] = ("; ", ". ", ": "), first: int = 10) -> int:
    """Index of the first separator outside brackets (at or after ``first``), else the length."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and i >= first and any(text.startswith(sep, i) for sep in seps):
            return i
    return len(text)


def short_source(text: str, limit: int = 90) -> str:
    """The first clause of a source (up to ``limit`` characters), keeping any year at the end.

    The full sources are on the explorer's assumptions page; the brief keeps one line each.
    """
    year = ""
    m = re.search(r" \((\d{4}(?:-\d{2})?)\)$", text)
    if m:
        year, text = m.group(0), text[: m.start()]
    out = text[: _top_level_cut(text)]
    if len(out) > limit:
        cite = re.search(r" \([^()]*\)$", out)  # keep a short closing citation such as "(NAO 2024)"
        tail = cite.group(0) if cite and len(cite.group(0)) <= 40 else ""
        head = out[: cite.start()] if cite else out
        head = head[: _top_level_cut(head, (", ",))]
        if len(head) + len(tail) > limit:
            head = head[: max(limit - len(tail), 20)].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        out = head + tail
    return out + year


def brief_filename(name: str, today: dt.date | None = None, tag: str = "", ext: str = "html") -> str:
    """A safe file name such as ``councillor-brief-court-26-weeks-2026-04-01.html``.

    ``tag`` (from :func:`app_lib.exports.change_tag`, e.g. "-3-changes-5f2a9c") tells apart
    briefs of changed scenarios that still carry the defaults' name; ``ext`` is "html" or "pdf".
    """
    today = today or dt.date.today()
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if len(slug) > 40:  # cut at a word boundary
        slug = slug[:41].rsplit("-", 1)[0] if "-" in slug[:41] else slug[:40]
    slug = slug or "scenario"
    tag = re.sub(r"[^a-z0-9-]+", "", tag.lower()).strip("-")
    tag = f"-{tag}" if tag else ""
    ext = re.sub(r"[^a-z0-9]+", "", ext.lower()) or "html"
    return f"councillor-brief-{slug}{tag}-{today.isoformat()}.{ext}"


MAX_LEVERS = 7
"""Most levers listed one by one (the PDF's limit too); more are counted in one row."""


def caveats(base: Projection, scen: Projection, baseline_label: str | None = None) -> list[str]:
    """Plain-English caveats, computed from the scenario where they state a figure; ``baseline_label``
    names a baseline of the user's own (the first caveat then says what it sets and what it does not)."""
    src = source_for("name")
    if baseline_label and baseline_label.endswith(PUBLISHED_LABEL_END):
        illustrative = (
            f"The figures start from {baseline_label}: children in care, entries and rates of leaving care come from "
            "DfE's published tables. Prices and moves between placements are an illustrative authority's, and the "
            "budget is a placeholder equal to the first year's forecast spend (no budget is published): replace "
            "them with the council's own before relying on the money figures."
        )
    elif baseline_label:
        illustrative = (
            f"The figures start from the baseline {baseline_label}. Anything it does not set is as in an illustrative "
            "authority built from published national and Plymouth City Council figures."
        )
    else:
        illustrative = (
            "Unless changed, the figures describe an illustrative authority built from published national and "
            "Plymouth City Council figures, not this council's own data."
        )
        if src and src.note and "own data" in src.note:
            illustrative += " Replace them with local data before relying on them."
    return [
        illustrative,
        # not "a projection, not a forecast" two paragraphs after "spending ... is forecast at" (first review)
        "The forecast shows what follows from the assumptions, using average rates: it is not a prediction. "
        "Real numbers will vary.",
        "Spending is placement costs only. Staff, legal and court costs and support for care leavers "
        "(18 and over) are not included.",
        "The model does not include what a change would take or cost to achieve, such as funding "
        "edge-of-care work or recruiting foster carers.",
    ]


def build_brief(
    base: Projection,
    scen: Projection,
    *,
    today: dt.date | None = None,
    narrative: Narrative | None = None,
    chart_scale: float = 2.0,
    baseline_label: str | None = None,
) -> str:
    """The one-page brief for ``scen`` against ``base`` as a complete HTML document.

    ``baseline_label`` names a baseline the user chose instead of the bundled defaults ("current
    trends" in the brief are then that baseline's).
    """
    today = today or dt.date.today()
    n = narrative or narrate(base, scen)
    name = scen.scenario.name.strip() or "Unnamed scenario"
    e = escape

    key_items = "\n".join(f"<li>{e(s.text)}</li>" for s in (n.change if n.changed else n.baseline))
    trend = ""
    if n.changed:
        # the baseline's own sentences, labelled: unlabelled under the key messages they read as the scenario's
        trend = f'<p class="trend"><strong>{TRENDS_LABEL}</strong> ' + " ".join(e(s.text) for s in n.baseline) + "</p>"

    scen_arg = scen if n.changed else None
    kids_alt = bc.children_chart_text(base, scen_arg)
    spend_alt = bc.spend_chart_text(base, scen_arg)
    kids_uri = chart_png_uri(bc.children_chart(base, scen_arg, bc.PRINT), chart_scale)
    spend_uri = chart_png_uri(bc.spend_chart(base, scen_arg, bc.PRINT), chart_scale)

    if n.levers:
        lever_rows = "\n".join(
            f"<tr><td>{e(lv.label)}</td><td>{e(lv.baseline_text)}</td><td><strong>{e(lv.scenario_text)}</strong></td>"
            f'<td class="src">{e(short_source(lever_source(lv, base.scenario, baseline_label)))}</td></tr>'
            for lv in n.levers[:MAX_LEVERS]  # as the PDF: more would not fit one page
        )
        more = len(n.levers) - MAX_LEVERS
        if more > 0:
            lever_rows += (
                f'\n<tr><td colspan="4">... and {more} more changes: the scenario file lists them all.</td></tr>'
            )
        levers_html = (
            '<table class="levers">\n<caption>What this scenario changes</caption>\n'
            '<thead><tr><th scope="col">Lever</th><th scope="col">Current trends</th>'
            '<th scope="col">This scenario</th><th scope="col">Source of the current-trends figure</th></tr></thead>\n'
            f"<tbody>\n{lever_rows}\n</tbody></table>"
        )
    else:
        levers_html = (
            "<p><strong>No levers are changed:</strong> this brief shows the baseline, what happens on current "
            + (
                f"trends with the assumptions of the baseline ({e(baseline_label)}) below.</p>"
                if baseline_label
                else "trends with the default assumptions below.</p>"
            )
        )

    rows = []
    for a in key_assumptions(scen.scenario, base.scenario, baseline_label)[1:]:  # the period is in the header
        cls = ' class="changed"' if a.changed else ""
        tag = ' <span class="tag">changed</span>' if a.changed else ""
        rows.append(
            f'<tr{cls}><td>{e(a.label)}{tag}</td><td class="num">{e(a.value)}</td><td class="src">{e(short_source(a.source))}</td></tr>'
        )
    assumption_rows = "\n".join(rows)
    assumptions_html = (
        '<table class="assumptions">\n<caption>Main assumptions and their sources</caption>\n'
        '<thead><tr><th scope="col">Assumption</th><th scope="col">Value</th><th scope="col">Source</th></tr></thead>\n'
        f"<tbody>\n{assumption_rows}\n</tbody></table>"
    )
    caveat_items = "\n".join(f"<li>{e(c)}</li>" for c in caveats(base, scen, baseline_label))
    baseline_html = f" · compared with the baseline <strong>{e(baseline_label)}</strong>" if baseline_label else ""

    document = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(TITLE)}: {e(name)} ({e(long_date(today))})</title>
<style>{CSS}</style>
</head>
<body class="__DENSITY__">
<main class="sheet">
<header class="masthead">
<div>
<p class="kicker">{e(KICKER)}</p>
<h1>{e(TITLE)}</h1>
<p class="scenario">Scenario: <strong>{e(name)}</strong>{baseline_html}</p>
</div>
<p class="meta">{e(long_date(today))}<br>Projection from {e(long_date(scen.scenario.start_date))}<br>over {scen.scenario.years} years</p>
</header>

<section aria-labelledby="key-h">
<h2 id="key-h">Key messages</h2>
<div class="key">
<ol>
{key_items}
</ol>
</div>
{trend}
<p class="rounding">{e(ROUNDING_STATEMENT)}</p>
</section>

<section aria-labelledby="charts-h">
<h2 id="charts-h">Charts</h2>
<div class="charts">
<figure>
<img src="{kids_uri}" alt="{e(kids_alt)}">
</figure>
<figure>
<img src="{spend_uri}" alt="{e(spend_alt)}">
</figure>
</div>
</section>

<section aria-labelledby="assume-h">
<h2 id="assume-h">Assumptions</h2>
{levers_html}
{assumptions_html}
</section>

<section aria-labelledby="caveats-h">
<h2 id="caveats-h">Caveats</h2>
<ul class="caveats">
{caveat_items}
</ul>
</section>

<footer>
Made with the children's social care scenario explorer on {e(long_date(today))}. Save the scenario
file from the explorer to reproduce these figures.
</footer>
</main>
<script>{FIT_SCRIPT}</script>
</body>
</html>
"""
    return document.replace("__DENSITY__", density(document), 1)


TRENDS_LABEL = "Without these changes (current trends):"
"""What the brief's paragraph about the baseline is, printed before it (HTML and PDF)."""

DENSITY = (
    (3950, "dense denser densest tightest"),
    (3700, "dense denser densest"),
    (3550, "dense denser"),
    (3350, "dense"),
)
"""Characters of text on the sheet above which the brief is set smaller, so that it prints on one A4 page
(measured by printing in Chromium: tests/test_browser_brief_print.py)."""


FIT_SCRIPT = """
(function () {
  // Set the brief as loosely as still prints on one A4 page, measured in the reader's browser: the
  // server's choice (density(), from the length of the text) is the start, but a brief's height depends
  // on more than its text (rows, list items, how lines wrap). Static code: nothing here is user text.
  var steps = ["normal", "dense", "dense denser", "dense denser densest", "dense denser densest tightest"];
  var MM = 96 / 25.4, LIMIT_MM = __LIMIT_MM__;
  function fit() {
    var sheet = document.querySelector(".sheet");
    if (!sheet) return;
    var old = sheet.getAttribute("style");
    sheet.style.maxWidth = "186mm";  // the printed width: A4 less its side margins
    sheet.style.padding = "0";
    for (var i = 0; i < steps.length; i++) {
      document.body.className = steps[i];
      if (sheet.getBoundingClientRect().height / MM <= LIMIT_MM) break;
    }
    if (old === null) sheet.removeAttribute("style"); else sheet.setAttribute("style", old);
  }
  window.addEventListener("load", fit);
  window.addEventListener("beforeprint", fit);
})();
""".replace("__LIMIT_MM__", "274")
"""Chooses the brief's density in the browser that opens it (HTML brief only; the PDF is laid out by fpdf2).
The limit is A4's 297 mm less the 19 mm of top and bottom margins, less 4 mm for rounding (calibrated by
printing in Chromium: tests/test_browser_brief_print.py)."""


def density(document: str) -> str:
    """The body's class for ``document``: how tightly to set it, from the length of its text."""
    body = re.sub(r"<script>.*?</script>", "", document.split("<body", 1)[-1], flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    chars = len(re.sub(r"\s+", " ", text))
    return next((cls for limit, cls in DENSITY if chars > limit), "normal")
