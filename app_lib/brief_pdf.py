"""The one-page councillor brief as a PDF, made without a browser.

Same content as the HTML brief (:mod:`app_lib.brief`): key messages, the two council-ready
charts (:mod:`app_lib.briefing_charts`, rendered to PNG offline with vl-convert), what the
scenario changes, the main assumptions with their sources, and the caveats, on one A4 page.

Written with fpdf2 (pure Python, small, actively maintained): it lays out text, tables and
images itself, so no browser or system library is needed on the server. A Unicode TrueType
font is used when the system has one (Liberation Sans or DejaVu Sans); otherwise the PDF's
built-in Helvetica, with any character it cannot show replaced, so that an unusual scenario
name never stops the brief. If the content does not fit one page it is laid out again a
little smaller, and very long lists of changes are cut with a note saying how many more.

No streamlit here: the PDF can be built in tests and from the command line.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from csc_model.reporting.narrative import ROUNDING_STATEMENT, Narrative, Projection, key_assumptions, long_date, narrate
from csc_model.reporting.wording import lever_source

from . import brief
from . import briefing_charts as bc

FONT_CHOICES: tuple[tuple[Path, Path], ...] = (
    (
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
)
"""Unicode fonts tried in order (regular, bold); Helvetica is used when none is installed."""

BLUE = (0, 98, 160)
NAVY = (10, 58, 92)
INK = (26, 26, 26)
GREY = (70, 70, 70)
PALE = (238, 244, 249)
CHANGED = (255, 244, 214)
RULE = (201, 214, 224)

PAGE_W, MARGIN = 210.0, 12.0
MAX_LEVERS = brief.MAX_LEVERS
"""Changes listed in the table; more are counted in a note (the scenario file has them all)."""
SCALES = (1.0, 0.93, 0.86, 0.8, 0.74)
"""Text sizes tried, largest first, until the brief fits one page."""

_ASCII = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2192": "->",
        "\u00a0": " ",
    }
)


def _font_files() -> tuple[Path, Path] | None:
    for regular, bold in FONT_CHOICES:
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _Brief(FPDF):
    """FPDF with the brief's font, and text made safe for it."""

    def __init__(self, scale: float, unicode_font: bool) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.scale = scale
        self.unicode_font = False
        files = _font_files() if unicode_font else None
        if files:
            self.add_font("Brief", "", str(files[0]))
            self.add_font("Brief", "B", str(files[1]))
            self.family = "Brief"
            self.unicode_font = True
        else:
            self.family = "Helvetica"
        self.set_margins(MARGIN, 10, MARGIN)
        self.set_auto_page_break(True, margin=9)
        self.set_title(brief.TITLE)
        self.set_creator("Children's social care scenario explorer")

    def safe(self, text: str) -> str:
        """``text`` as the font can show it (Helvetica: Latin-1, anything else replaced by '?')."""
        if self.unicode_font:
            return text
        return text.translate(_ASCII).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.set_font(self.family, "B" if bold else "", size * self.scale)
        self.set_text_color(*colour)

    def line_h(self, size: float) -> float:
        return size * self.scale * 0.42

    def para(self, text: str, size: float, bold: bool = False, colour: tuple[int, int, int] = INK, **kw) -> None:
        self.font(size, bold, colour)
        self.multi_cell(0, self.line_h(size), self.safe(text), new_x="LMARGIN", new_y="NEXT", align="L", **kw)

    def heading(self, text: str) -> None:
        self.ln(1.6 * self.scale)
        self.font(11, True, NAVY)
        self.cell(0, self.line_h(11) + 0.6, self.safe(text), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*RULE)
        self.set_line_width(0.25)
        self.line(self.l_margin, self.get_y(), PAGE_W - self.r_margin, self.get_y())
        self.ln(1.0 * self.scale)

    def rows(
        self, headings: tuple[str, ...], rows: list[tuple[tuple[str, ...], bool]], widths: tuple[int, ...]
    ) -> None:
        """A table with a dark heading row; rows flagged True are shaded as changed."""
        self.font(8)
        self.set_fill_color(255, 255, 255)
        head = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=NAVY)
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=self.line_h(8) + 0.3,
            headings_style=head,
            borders_layout="HORIZONTAL_LINES",
            padding=(0.5, 1.2),
            first_row_as_headings=True,
            cell_fill_mode="NONE",
        ) as table:
            table.row([self.safe(h) for h in headings])
            for cells, changed in rows:
                table.row([self.safe(c) for c in cells], style=FontFace(fill_color=CHANGED) if changed else None)


def _chart_png(chart) -> bytes:
    return brief.chart_png(chart, 2.0)


def _layout(
    pdf: _Brief,
    base: Projection,
    scen: Projection,
    n: Narrative,
    today: dt.date,
    baseline_label: str | None,
    charts: tuple[bytes, bytes],
) -> None:
    pdf.add_page()
    name = scen.scenario.name.strip() or "Unnamed scenario"
    width = PAGE_W - 2 * MARGIN
    top = pdf.get_y()

    # masthead: kicker, title and scenario on the left; date and period on the right
    meta = [
        long_date(today),
        f"Projection from {long_date(scen.scenario.start_date)}",
        f"over {scen.scenario.years} years",
    ]
    pdf.font(8.5, colour=GREY)
    for k, line in enumerate(meta):
        pdf.set_xy(PAGE_W - MARGIN - 60, top + k * pdf.line_h(8.5))
        pdf.cell(60, pdf.line_h(8.5), pdf.safe(line), align="R")
    pdf.set_xy(MARGIN, top)
    pdf.font(8.5, True, BLUE)
    pdf.cell(width - 62, pdf.line_h(8.5), pdf.safe(brief.KICKER.upper()), new_x="LMARGIN", new_y="NEXT")
    pdf.font(16, True)
    pdf.cell(width - 62, pdf.line_h(16) + 1, pdf.safe(brief.TITLE), new_x="LMARGIN", new_y="NEXT")
    scenario_line = f"Scenario: {name}"
    if baseline_label:
        scenario_line += f" · compared with the baseline {baseline_label}"
    pdf.font(10.5)
    pdf.multi_cell(width - 62, pdf.line_h(10.5), pdf.safe(scenario_line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(0.9)
    pdf.line(MARGIN, pdf.get_y(), PAGE_W - MARGIN, pdf.get_y())
    pdf.ln(0.5)

    # key messages in a shaded box with a blue bar
    pdf.heading("Key messages")
    items = [s.text for s in (n.change if n.changed else n.baseline)]
    pdf.font(10)
    lh = pdf.line_h(10)
    heights = [
        pdf.multi_cell(width - 9, lh, pdf.safe(t), dry_run=True, output="HEIGHT", align="L") + 0.6 for t in items
    ]
    y0 = pdf.get_y()
    box = sum(heights) + 1.2
    if y0 + box < pdf.h - pdf.b_margin:  # the box is drawn first, so the text sits on it
        pdf.set_fill_color(*PALE)
        pdf.rect(MARGIN, y0, width, box, style="F")
        pdf.set_fill_color(*BLUE)
        pdf.rect(MARGIN, y0, 1.4, box, style="F")
    pdf.set_y(y0 + 0.8)
    for k, text in enumerate(items, 1):
        pdf.set_x(MARGIN + 3)
        pdf.cell(5, lh, f"{k}.")
        pdf.multi_cell(width - 9, lh, pdf.safe(text), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(0.6)
    pdf.set_y(max(pdf.get_y(), y0 + box) + 0.4)
    if n.changed:  # labelled, as in the HTML brief: unlabelled it read as the scenario's figures
        pdf.font(9, True)
        pdf.write(pdf.line_h(9), pdf.safe(brief.TRENDS_LABEL + " "))
        pdf.font(9)
        pdf.write(pdf.line_h(9), pdf.safe(" ".join(s.text for s in n.baseline)))
        pdf.ln(pdf.line_h(9))
    pdf.para(ROUNDING_STATEMENT, 7.5, colour=GREY)

    # the two charts side by side
    pdf.heading("Charts")
    gap = 5.0
    w = (width - gap) / 2
    y = pdf.get_y()
    scen_arg = scen if n.changed else None
    alts = (bc.children_chart_text(base, scen_arg), bc.spend_chart_text(base, scen_arg))
    h = 0.0
    for k, png in enumerate(charts):
        info = pdf.image(io.BytesIO(png), x=MARGIN + k * (w + gap), y=y, w=w, alt_text=pdf.safe(alts[k]))
        h = max(h, float(info.rendered_height))
    pdf.set_y(y + h + 1)

    # what the scenario changes, and the main assumptions
    pdf.heading("Assumptions")
    if n.levers:
        shown = list(n.levers[:MAX_LEVERS])
        pdf.rows(
            ("What this scenario changes", "Current trends", "This scenario", "Source of the current-trends figure"),
            [
                (
                    (
                        lv.label,
                        lv.baseline_text,
                        lv.scenario_text,
                        brief.short_source(lever_source(lv, base.scenario, baseline_label)),
                    ),
                    False,
                )
                for lv in shown
            ],
            (27, 22, 25, 26),
        )
        if len(n.levers) > MAX_LEVERS:
            pdf.para(f"... and {len(n.levers) - MAX_LEVERS} more changes: the scenario file lists them all.", 8)
    else:
        trends = f"the assumptions of the baseline ({baseline_label})" if baseline_label else "the default assumptions"
        pdf.para(
            f"No levers are changed: this brief shows the baseline, what happens on current trends with {trends}.", 9
        )
    pdf.ln(1.5)
    rows = [
        ((a.label + (" (changed)" if a.changed else ""), a.value, brief.short_source(a.source)), a.changed)
        for a in key_assumptions(scen.scenario, base.scenario, baseline_label)[1:]
    ]
    pdf.rows(("Main assumptions", "Value", "Source"), rows, (40, 15, 45))

    pdf.heading("Caveats")
    for c in brief.caveats(base, scen, baseline_label):
        pdf.font(8)
        pdf.cell(4, pdf.line_h(8), pdf.safe("•" if pdf.unicode_font else "-"))
        pdf.multi_cell(width - 4, pdf.line_h(8), pdf.safe(c), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(0.3)

    pdf.ln(1)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.25)
    pdf.line(MARGIN, pdf.get_y(), PAGE_W - MARGIN, pdf.get_y())
    pdf.ln(0.8)
    pdf.para(
        f"Made with the children's social care scenario explorer on {long_date(today)}. Save the scenario file "
        "from the explorer to reproduce these figures.",
        7.5,
        colour=GREY,
    )


def build_brief_pdf(
    base: Projection,
    scen: Projection,
    *,
    today: dt.date | None = None,
    narrative: Narrative | None = None,
    baseline_label: str | None = None,
    unicode_font: bool = True,
) -> bytes:
    """The one-page brief for ``scen`` against ``base`` as the bytes of a one-page A4 PDF.

    ``unicode_font=False`` uses the PDF's built-in Helvetica even where a TrueType font is
    installed (what a server without fonts does).
    """
    today = today or dt.date.today()
    n = narrative or narrate(base, scen)
    scen_arg = scen if n.changed else None
    charts = (
        _chart_png(bc.children_chart(base, scen_arg, bc.PRINT)),
        _chart_png(bc.spend_chart(base, scen_arg, bc.PRINT)),
    )
    pdf = None
    for scale in SCALES:
        pdf = _Brief(scale, unicode_font)
        _layout(pdf, base, scen, n, today, baseline_label, charts)
        if pdf.pages_count == 1:
            break
    else:  # still too long at the smallest size: keep the first page only (never seen with the bundled levers)
        pdf = _Brief(SCALES[-1], unicode_font)
        pdf.set_auto_page_break(False)
        _layout(pdf, base, scen, n, today, baseline_label, charts)
    return bytes(pdf.output())
