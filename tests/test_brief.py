"""The one-page brief: the model's figures, valid self-contained HTML, escaped user text."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib
from html import escape, unescape
from html.parser import HTMLParser

import pandas as pd
import pytest

from app_lib import brief, brief_pdf, exports
from app_lib import briefing_charts as bc
from csc_model import default_scenario
from csc_model.reporting.narrative import ROUNDING_STATEMENT, TableProjection, narrate
from csc_model.reporting.results import Result, project
from csc_model.scenario import Scenario
from csc_model.scenario.presets import apply_preset

MALICIOUS = '<script>alert(1)</script> & "Court" <img src=x onerror=alert(2)>'
TODAY = dt.date(2026, 5, 14)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class TagChecker(HTMLParser):
    """Records structure problems: unbalanced or misnested tags; collects tags and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.doctype = ""
        self.text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"end tag for void element <{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> TagChecker:
    p = TagChecker()
    p.feed(html)
    p.close()
    return p


@pytest.fixture(scope="module")
def court(base: Scenario) -> Result:
    return project(apply_preset(base, "court_26_weeks").replace(name=MALICIOUS))


@pytest.fixture(scope="module")
def court_html(base_result: Result, court: Result) -> str:
    return brief.build_brief(base_result, court, today=TODAY, chart_scale=1)


@pytest.fixture(scope="module")
def baseline_html(base_result: Result) -> str:
    return brief.build_brief(base_result, base_result, today=TODAY, chart_scale=1)


def test_brief_is_balanced_html(court_html: str, baseline_html: str) -> None:
    for html in (court_html, baseline_html):
        p = parse(html)
        assert p.doctype.lower() == "doctype html"
        assert p.problems == []
        assert p.stack == []
        names = [t for t, _ in p.tags]
        assert names[:1] == ["html"] and names.count("html") == names.count("body") == names.count("head") == 1
        assert dict(p.tags[0][1]).get("lang") == "en-GB"
        assert names.count("h1") == 1
        assert names.count("title") == 1


def test_brief_contains_the_sentences_and_figures(base_result: Result, court: Result, court_html: str) -> None:
    n = narrate(base_result, court)
    text = unescape(court_html)
    for s in (*n.change, *n.baseline):
        assert s.text in text
    assert ROUNDING_STATEMENT in text
    head = n.by_key("change_headline")
    dc = abs(head.figures["children_difference_rounded"])
    ds = abs(head.figures["spend_difference_m"])
    assert dc > 0 and ds > 0
    assert f"about {dc} fewer children would be in care" in text
    assert f"about £{ds:.1f}m lower in {head.figures['fy']}" in text
    total = abs(n.by_key("change_longer_term").figures["spend_difference_total_m"])
    assert f"£{total:.1f}m lower in total" in text
    # the charts' text alternatives are there too, with the same rounded figures
    assert bc.children_chart_text(base_result, court) in text
    # the chart's text alternative adds up like the sentences: 513 now exactly, then differences of
    # the rounded numbers it gives
    alt_text = bc.children_chart_text(base_result, court)
    nums = [int(x) for x in re.findall(r"about (\d+)|from (\d+)", alt_text) for x in x if x]
    start, base_end, court_end = nums[0], nums[1], nums[2]
    assert start == round(base_result.structure.initial.sum())
    d = court_end - base_end
    assert f"({abs(d)} {'more' if d > 0 else 'fewer'})" in alt_text
    assert bc.spend_chart_text(base_result, court) in text


def test_brief_states_date_name_assumptions_and_caveats(base_result: Result, court: Result, court_html: str) -> None:
    text = unescape(court_html)
    assert "14 May 2026" in text
    assert MALICIOUS in text  # shown as text...
    assert "Target average length of proceedings" in text
    assert "26 weeks by March 2027" in text
    assert "Children and Families Act 2014" in text  # source of the lever's current value
    assert "Average length of care proceedings" in text and "MoJ Family Court Statistics" in text
    assert (
        "Caveats" in text
        and "it is not a prediction" in text
        and "not a forecast" not in text
        and "placement costs only" in text
    )
    for c in brief.caveats(base_result, court):
        assert c in text


def only_our_script(html_text: str) -> None:
    """The one script in a brief is the brief's own static code (it fits the brief to the page)."""
    assert re.findall(r"<script[^>]*>(.*?)</script>", html_text, flags=re.S | re.I) == [brief.FIT_SCRIPT]
    assert len(re.findall(r"<script", html_text, flags=re.I)) == 1


def test_scenario_name_is_escaped(court_html: str) -> None:
    only_our_script(court_html)  # the name holds "<script>" ...but never as markup
    assert "<img src=x" not in court_html
    assert escape(MALICIOUS) in court_html
    p = parse(court_html)
    assert sum(t == "script" for t, _ in p.tags) == 1
    assert not any(k.startswith("on") for _, attrs in p.tags for k in attrs)


def test_brief_has_no_external_resources(court_html: str) -> None:
    p = parse(court_html)
    only_our_script(court_html)
    for tag, attrs in p.tags:
        assert tag not in ("link", "iframe", "object", "embed")
        for key in ("src", "href", "srcset", "action", "data"):
            value = attrs.get(key)
            if value is not None:
                assert value.startswith("data:") or value.startswith("#"), (tag, key, value[:60])
    assert not re.search(r"https?://", court_html)
    assert "@import" not in court_html
    assert not re.search(r"url\(", court_html)


def test_charts_are_inline_png_with_alt_text(base_result: Result, court: Result, court_html: str) -> None:
    imgs = [attrs for tag, attrs in parse(court_html).tags if tag == "img"]
    assert len(imgs) == 2
    alts = [bc.children_chart_text(base_result, court), bc.spend_chart_text(base_result, court)]
    for attrs, alt in zip(imgs, alts, strict=True):
        assert attrs["alt"] == alt
        src = attrs["src"]
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 5_000


def test_prints_on_a4(court_html: str) -> None:
    assert re.search(r"@page\s*{[^}]*size:\s*A4", court_html)


def test_baseline_brief_says_nothing_changed(baseline_html: str, base_result: Result) -> None:
    text = unescape(baseline_html)
    assert "No levers are changed" in text
    n = narrate(base_result, base_result)
    for s in n.baseline:
        assert s.text in text
    assert "With changes" not in text


def test_brief_from_cached_tables_matches_result(base: Scenario, base_result: Result, court: Result) -> None:
    # the page builds the brief from the app runner's tables, not from Result objects
    tp_base = TableProjection(base, base_result.table("fy"), base_result.table("month"))
    tp_court = TableProjection(court.scenario, court.table("fy"), court.table("month"))
    a = narrate(base_result, court)
    b = narrate(tp_base, tp_court)
    assert a.texts() == b.texts()
    assert bc.children_chart_text(tp_base, tp_court) == bc.children_chart_text(base_result, court)


def test_brief_filename_tells_changed_scenarios_apart() -> None:
    changed = default_scenario().with_values({"entries.weekly_rate": 4.5})
    tag = exports.change_tag(changed)
    assert tag.startswith("-1-change-") and exports.change_tag(default_scenario()) == ""
    out = brief.brief_filename(changed.name, TODAY, tag=tag)
    assert out == f"councillor-brief-illustrative-authority-about-500{tag}-2026-05-14.html"
    assert brief.brief_filename("x", TODAY, tag="/../evil") == "councillor-brief-x-evil-2026-05-14.html"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Court proceedings back to 26 weeks", "councillor-brief-court-proceedings-back-to-26-weeks-2026-05-14.html"),
        (MALICIOUS, "councillor-brief-script-alert-1-script-court-img-src-x-2026-05-14.html"),
        (
            "Illustrative authority (about 500 children in care)",
            "councillor-brief-illustrative-authority-about-500-2026-05-14.html",
        ),
        ("", "councillor-brief-scenario-2026-05-14.html"),
        ("../../etc/passwd", "councillor-brief-etc-passwd-2026-05-14.html"),
    ],
)
def test_brief_filename_is_safe(name: str, expected: str) -> None:
    out = brief.brief_filename(name, TODAY)
    assert out == expected
    assert re.fullmatch(r"councillor-brief-[a-z0-9]+(-[a-z0-9]+)*-2026-05-14\.html", out)


def test_short_source_keeps_first_clause_and_year() -> None:
    assert brief.short_source("MoJ Family Court Statistics: 45 weeks (2021), 41 weeks (2024) (2021-25)") == (
        "MoJ Family Court Statistics (2021-25)"
    )
    assert brief.short_source("Illustrative (DfE 2020: 17%; Plymouth 2023: 10%) (2022-23)").startswith(
        "Illustrative (DfE 2020: 17%; Plymouth 2023: 10%)"
    )
    long = "A very long source " + "with many words " * 10 + "(NAO 2024)"
    out = brief.short_source(long)
    assert len(out) <= 92 and out.endswith("(NAO 2024)")


# ---------------------------------------------------------------------------
# The brief as a PDF
# ---------------------------------------------------------------------------

ODD_NAME = MALICIOUS + " Ynys Môn – “draft” ½ 漢字 😀 \\ )( ("


def _pdf_objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}


def _pdf_stream(body: bytes) -> bytes:
    m = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
    raw = m.group(1) if m else b""
    try:
        return zlib.decompress(raw)
    except zlib.error:
        return raw


def _pdf_literal(s: bytes, i: int) -> tuple[bytes, int]:
    """The PDF literal string that starts just after a '(' at ``s[i - 1]``, and the index after its ')'."""
    out, depth = bytearray(), 1
    while True:
        c = s[i]
        if c == 0x5C:  # a backslash escape: \n \r \t \b \f, \ddd (octal) or the character itself
            n = s[i + 1]
            named = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
            if n in named:
                out.append(named[n])
                i += 2
            elif 0x30 <= n <= 0x37:
                j = i + 1
                while j < i + 4 and 0x30 <= s[j] <= 0x37:
                    j += 1
                out.append(int(s[i + 1 : j], 8) & 0xFF)
                i = j
            else:
                out.append(n)
                i += 2
            continue
        depth += c == 0x28
        depth -= c == 0x29
        if depth == 0:
            return bytes(out), i + 1
        out.append(c)
        i += 1


def pdf_text(data: bytes) -> str:
    """The text drawn on the PDF's pages, in order, with runs of white space as one space.

    Enough of PDF for fpdf2's output (no PDF library is installed): literal strings shown with Tj/TJ,
    one byte a character for the built-in fonts and two (mapped by the font's ToUnicode CMap) for
    embedded TrueType fonts.
    """
    objs = _pdf_objects(data)
    cmaps: dict[bytes, dict[int, str] | None] = {}
    for name, num in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        m = re.search(rb"/ToUnicode (\d+) 0 R", objs[int(num)])
        cmap: dict[int, str] | None = None
        if m:
            cmap = {}
            text = _pdf_stream(objs[int(m.group(1))])
            for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
                for a, b in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    cmap[int(a, 16)] = bytes.fromhex(b.decode()).decode("utf-16-be")
        cmaps[name] = cmap
    token = re.compile(rb"/(F\d+) [\d.]+ Tf|\(|(T[Jj])")
    pieces: list[str] = []
    for body in objs.values():
        if not re.search(rb"/Type /Page\b(?!s)", body):
            continue
        for ref in re.findall(rb"/Contents (\d+) 0 R", body):
            content, font, i = _pdf_stream(objs[int(ref)]), None, 0
            while m := token.search(content, i):
                if m.group(1):
                    font, i = m.group(1), m.end()
                elif m.group(2):
                    pieces.append(" ")
                    i = m.end()
                else:
                    raw, i = _pdf_literal(content, m.end())
                    cmap = cmaps.get(font)
                    if cmap is None:
                        pieces.append(raw.decode("latin-1"))
                    else:
                        pieces.append(
                            "".join(
                                cmap.get(int.from_bytes(raw[k : k + 2], "big"), "") for k in range(0, len(raw) - 1, 2)
                            )
                        )
    return re.sub(r"\s+", " ", "".join(pieces))


def pdf_pages(data: bytes) -> int:
    """Pages in the PDF, by the page tree's /Count (and by counting the page objects)."""
    objs = _pdf_objects(data).values()
    counts = [
        int(c) for body in objs if re.search(rb"/Type /Pages\b", body) for c in re.findall(rb"/Count (\d+)", body)
    ]
    pages = sum(1 for body in objs if re.search(rb"/Type /Page\b(?!s)", body))
    assert counts and len(set(counts)) == 1 and counts[0] == pages
    return pages


@pytest.fixture(scope="module", params=[True, False], ids=["truetype", "helvetica"])
def court_pdf(request: pytest.FixtureRequest, base_result: Result, court: Result) -> bytes:
    return brief_pdf.build_brief_pdf(base_result, court, today=TODAY, unicode_font=request.param)


def test_pdf_brief_is_one_a4_page(court_pdf: bytes) -> None:
    assert court_pdf.startswith(b"%PDF-")
    assert pdf_pages(court_pdf) == 1
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", court_pdf)
    assert box and (float(box.group(1)), float(box.group(2))) == pytest.approx((595.28, 841.89), abs=0.5)


def test_pdf_brief_states_the_headline_figures(base_result: Result, court: Result, court_pdf: bytes) -> None:
    text = pdf_text(court_pdf)
    n = narrate(base_result, court)
    for s in (*n.change, *n.baseline):
        assert s.text in text
    head = n.by_key("change_headline").figures
    assert f"about {abs(head['children_difference_rounded'])} fewer children" in text
    assert f"£{abs(head['spend_difference_m']):.1f}m lower in {head['fy']}" in text
    assert "14 May 2026" in text and MALICIOUS in text
    assert "26 weeks by March 2027" in text and "Children and Families Act 2014" in text
    for c in brief.caveats(base_result, court):
        assert c in text
    # the two council-ready charts are in it as images
    assert len(re.findall(rb"/Subtype /Image", court_pdf)) == 2


@pytest.mark.parametrize("unicode_font", [True, False], ids=["truetype", "helvetica"])
def test_pdf_brief_survives_an_odd_scenario_name(unicode_font: bool, base_result: Result, court: Result) -> None:
    odd = TableProjection(court.scenario.replace(name=ODD_NAME), court.table("fy"), court.table("month"))
    data = brief_pdf.build_brief_pdf(base_result, odd, today=TODAY, unicode_font=unicode_font)
    assert pdf_pages(data) == 1
    text = pdf_text(data)
    assert f"Scenario: {MALICIOUS} Ynys M" in text
    if unicode_font:  # letters the font has are kept; the rest are left out, never a failure
        assert "Ynys Môn – “draft” ½" in text
    else:  # the built-in font shows Latin-1: the rest is written plainly or as '?'
        assert 'Ynys Môn - "draft" ½ ?? ?' in text
    assert "\\ )( (" in text


def test_pdf_brief_of_the_baseline_and_of_many_changes_fit_one_page(base: Scenario, base_result: Result) -> None:
    data = brief_pdf.build_brief_pdf(base_result, base_result, today=TODAY)
    assert pdf_pages(data) == 1
    assert "No levers are changed" in pdf_text(data)
    prices = {f"costs.weekly_price_gbp.{k}": round(v * 1.1) for k, v in base.costs.weekly_price_gbp.items()}
    many = base.with_values(
        {**prices, "entries.weekly_rate": 4.5, "costs.annual_inflation": 0.06, "proceedings.mean_weeks": 40.0}
    )
    n = narrate(base_result, project(many))
    assert len(n.levers) > brief_pdf.MAX_LEVERS
    data = brief_pdf.build_brief_pdf(base_result, project(many), today=TODAY, narrative=n)
    assert pdf_pages(data) == 1
    text = pdf_text(data)
    assert f"{len(n.levers) - brief_pdf.MAX_LEVERS} more changes" in text
    for s in n.change:
        assert s.text in text


def test_pdf_filename() -> None:
    assert (
        brief.brief_filename("Court <26> weeks", TODAY, ext="pdf") == "councillor-brief-court-26-weeks-2026-05-14.pdf"
    )


def test_a_published_baseline_s_figures_are_credited_to_it_not_to_the_defaults_sources() -> None:
    """Started from Kent's published figures, the brief credited Kent's 1,956 children in care to Plymouth's
    figures (the default's source) and called the placeholder budget the illustrative one. Each value now names
    where it comes from: the default's source, the baseline, the placeholder, or this scenario."""
    from csc_model.published import build_scenario
    from csc_model.reporting.narrative import key_assumptions

    kent, _ = build_scenario("Kent", dt.date(2024, 3, 31), default_scenario())
    label = kent.name
    scen = kent.with_values({"proceedings.mean_weeks": 26.0})
    rows = {a.label: a for a in key_assumptions(scen, kent, label)}
    assert rows["Children in care on the start date"].source == f"The baseline, {label}"
    weekly = next(a for a in rows.values() if a.label.startswith("Children") and "week" in a.label)
    assert weekly.source == f"The baseline, {label}"
    budget = next(a for a in rows.values() if "budget in the first" in a.label.lower())
    assert "placeholder" in budget.source.lower() and "no budget is published" in budget.source
    proceedings = next(a for a in rows.values() if "proceedings" in a.label.lower())
    assert proceedings.changed and proceedings.source == "Set for this scenario"
    assert "Plymouth" not in " ".join(a.source for a in rows.values())  # the inflation is still the default's
    # ... where the values are the defaults', the defaults' sources stay
    plain = key_assumptions(default_scenario(), default_scenario())
    assert any("Plymouth" in a.source for a in plain)
    # and the brief says what the baseline sets and what it does not
    first = brief.caveats(project(kent), project(scen), label)[0]
    assert first.startswith(f"The figures start from {label}") and "placeholder" in first
    pdf_text = brief_pdf.build_brief_pdf(project(kent), project(scen), baseline_label=label, unicode_font=False)
    html = brief.build_brief(project(kent), project(scen), baseline_label=label, chart_scale=1.0)
    text = unescape(html)
    assert "The baseline, Kent at 31 March 2024" in text and "Plymouth City Council (2023-24)" not in text
    assert pdf_text.startswith(b"%PDF")


def test_a_changed_budget_gives_current_trends_their_own_budget_line_in_the_chart_and_its_words() -> None:
    """With a 2028-29 budget of £45m and shorter proceedings the chart set current trends' spending against
    the scenario's budget (£46.1m drawn under a £46.8m budget; 'above the budget in 2 of the 5 years') while
    the sentence beside it said £5.0m over. Each spending line now has its own budget."""
    from csc_model.reporting.narrative import narrate

    base = default_scenario()
    scen = apply_preset(base.with_values({"costs.budget_overrides": {"2028-29": 45_000_000}}), "court_26_weeks")
    b, s = project(base), project(scen)
    df = bc.spend_data(b, s)
    assert set(df["series"]) == {bc.BASELINE_NAME, bc.SCENARIO_NAME, bc.BUDGET_NAME, bc.BASE_BUDGET_NAME}
    base_budget = df[df["series"] == bc.BASE_BUDGET_NAME]["value"].to_numpy() * 1e6
    assert base_budget == pytest.approx(b.table("fy")["budget_gbp"].to_numpy())
    over = (b.table("fy")["pressure_gbp"] > 0).sum()
    text = bc.spend_chart_text(b, s)
    assert over == 5 and "above the budget in every year" in text and "budget with the changes" in text
    assert any("over budget" in x.text for x in narrate(b, s).baseline)
    # an unchanged budget keeps one line
    plain = bc.spend_data(b, project(apply_preset(base, "court_26_weeks")))
    assert bc.BASE_BUDGET_NAME not in set(plain["series"])


def test_a_small_authority_s_spending_axis_has_tenths_of_a_million() -> None:
    """Rutland's £2.2m to £2.5m had one axis label, '£2m', on the page, the slides and the PDF."""
    from csc_model.published import build_scenario

    rutland, _ = build_scenario("Rutland", dt.date(2024, 3, 31), default_scenario())

    def axis(p) -> dict:
        spec = bc.spend_chart(p, None, bc.PRINT).to_dict()
        lines = [layer for layer in spec["layer"] if "layer" in layer][0]["layer"]
        return lines[0]["encoding"]["y"]["axis"]

    small, usual = axis(project(rutland)), axis(project(default_scenario()))
    assert ",.1f" in small["labelExpr"] and small["tickMinStep"] == 0.1
    assert ",.0f" in usual["labelExpr"] and usual["tickMinStep"] == 1


def test_a_changed_lever_s_current_trends_figure_is_credited_to_a_published_baseline() -> None:
    """Kent's 10% entry trend (current trends) was credited to 'Illustrative: no change' in the brief's levers
    table; a lever the baseline leaves at the default keeps the default's source."""
    from csc_model.published import build_scenario
    from csc_model.reporting.narrative import narrate
    from csc_model.reporting.wording import lever_source

    kent, _ = build_scenario("Kent", dt.date(2024, 3, 31), default_scenario())
    scen = apply_preset(kent.with_values({"entries.annual_trend": 0.03}), "court_26_weeks")
    levers = {lv.key: lv for lv in narrate(project(kent), project(scen)).levers}
    trend, court = levers["entries.annual_trend"], levers["proceedings.target"]
    assert lever_source(trend, kent, kent.name) == f"The baseline, {kent.name}" != trend.source
    assert lever_source(court, kent, kent.name) == court.source  # the defaults' proceedings: their source
    assert lever_source(trend, kent, None) == trend.source


def test_every_brief_chart_says_its_scale_does_not_start_at_zero() -> None:
    """The briefing charts fit their scale to the lines (a 12-child dip must not look like a collapse, but
    nor may a line's height be read as its size): the PDF's and the HTML brief's pictures said nothing of it
    (second review). Each titled chart says it in its subtitle; the page and the slides in their notes."""
    base = default_scenario()
    b, s = project(base), project(apply_preset(base, "court_26_weeks"))
    for chart in (bc.children_chart(b, s, bc.PRINT), bc.spend_chart(b, s, bc.PRINT)):
        spec = chart.to_dict()
        assert spec["title"]["subtitle"][-1] == bc.AXIS_NOTE
    assert bc.y_domain(pd.Series([500.0, 512.0]))[0] > 0  # the scale indeed starts above zero
    assert bc.AXIS_NOTE in bc.with_axis_note(bc.children_subtitle(b))


def test_the_paragraph_on_current_trends_is_labelled_in_both_briefs(
    base_result: Result, court: Result, court_html: str, court_pdf: bytes
) -> None:
    """Under the key messages, the baseline's sentences ("spending in 2026-27 is forecast at about £40.3m")
    read as the scenario's when unlabelled (second review, 1 December)."""
    n = narrate(base_result, court)
    first = escape(n.baseline[0].text)
    assert re.search(rf"<strong>{re.escape(brief.TRENDS_LABEL)}</strong> {re.escape(first)}", court_html)
    text = " ".join(pdf_text(court_pdf).split())
    assert f"{brief.TRENDS_LABEL} {n.baseline[0].text}" in text
