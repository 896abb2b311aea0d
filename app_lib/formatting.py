"""How numbers, money and dates are written everywhere in the app.

Finance officers read £ to the nearest thousand (and £m for large sums), financial years as
"2025-26" and children as whole numbers. Every page and every export goes through these
functions so the same figure is always written the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal

from csc_model.reporting import rounding
from csc_model.reporting.rounding import RULE as ROUNDING_RULE  # noqa: F401 - stated on the Model page

MINUS = "-"  # ASCII minus: st.metric reads a leading "-" as a fall


def _finite(x: float | None) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def round_thousand(x: float) -> int:
    """Nearest £1,000 (half away from zero, as a budget paper would)."""
    return rounding.thousand(x)


Kind = Literal["children", "money", "weekly"]


def shown(x: float, kind: Kind) -> int:
    """A figure as the tables show it: children whole, money to £1,000, weekly prices to £1."""
    if kind == "children":
        return rounding.whole(x)
    if kind == "money":
        return rounding.thousand(x)
    return rounding.pound(x)


def difference(value: float, base: float, kind: Kind) -> int:
    """``value - base`` as every page and export gives it: the difference of the shown figures."""
    return shown(value, kind) - shown(base, kind)


def difference_text(value: float, base: float, kind: Kind) -> str:
    """The change from ``base`` to ``value`` as the tables give it, written as the page writes
    figures: "+6", "-£46k", "+£1.3m" (the £1,000 difference, written shorter like any figure)."""
    if kind == "children":
        return children(difference(value, base, kind), signed=True)
    if kind == "weekly":
        return gbp_exact(difference(value, base, kind), signed=True)
    return gbp_short(difference(value, base, kind), signed=True)


def _sign(x: float, signed: bool) -> str:
    if x < 0:
        return MINUS
    return "+" if signed and x > 0 else ""


def gbp(x: float | None, signed: bool = False) -> str:
    """£ to the nearest thousand with separators: £38,106,000."""
    if not _finite(x):
        return "-"
    r = round_thousand(x)
    return f"{_sign(r, signed)}£{abs(r):,}"


def gbp_exact(x: float | None, signed: bool = False) -> str:
    """£ to the nearest pound: £1,442 (weekly prices, cost per child)."""
    if not _finite(x):
        return "-"
    r = rounding.pound(x)
    return f"{_sign(r, signed)}£{abs(r):,}"


def gbp_short(x: float | None, signed: bool = False) -> str:
    """Money for headlines: £38.1m, £2.1m, £890k: the £1,000 figure of the tables, written shorter.

    One decimal in millions from £1m, whole thousands below, so that figures side by side
    have the same precision (a budget paper's convention); a change (``signed=True``) that
    rounds to nothing is "£0", without a sign (not "£0k", which reads as a typing slip).
    """
    if not _finite(x):
        return "-"
    r = rounding.thousand(x)
    if r == 0:
        return "£0"
    body = f"£{abs(rounding.tenth_m(r)):,.1f}m" if abs(r) >= 1_000_000 else f"£{abs(r) // 1000:,}k"
    return _sign(r, signed) + body


def children(x: float | None, signed: bool = False) -> str:
    """A number of children, whole: 505 (or +12 / -3 as a change)."""
    if not _finite(x):
        return "-"
    r = rounding.whole(x)
    return f"{_sign(r, signed)}{abs(r):,}"


def number(x: float | None, dp: int = 1) -> str:
    """A plain number with separators and at most ``dp`` decimals (trailing zeros dropped)."""
    if not _finite(x):
        return "-"
    text = f"{x:,.{dp}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def pct(share: float | None, dp: int = 1) -> str:
    """A share as a percentage: 0.1 -> 10%, 0.045 -> 4.5%."""
    if not _finite(share):
        return "-"
    return f"{number(share * 100, dp)}%"


def long_date(d: dt.date) -> str:
    """31 March 2027."""
    return f"{d.day} {d:%B %Y}"


def short_date(d: dt.date) -> str:
    """31 Mar 2027."""
    return f"{d.day} {d:%b %Y}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """User text made inert for st.markdown (no links, images, emphasis or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def lower_first(text: str) -> str:
    """A label inside a sentence or heading: "Children in care at 31 March" -> "children in care at 31 March".

    Only the first letter is lowered, and not at all for an abbreviation ("LA children's home"), so that
    "31 March", "(IFA)" and names keep their capitals (``str.lower`` gave "31 march").
    """
    if len(text) > 1 and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 change', '3 changes'."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def chance(p: float | None) -> str:
    """A probability in words a room can repeat: "about 7 in 10", "less than 1 in 20"."""
    if not _finite(p):
        return "–"
    if p < 0.05:
        return "less than 1 in 20"
    if p > 0.95:
        return "more than 19 in 20"
    # nearer 1 in 20 than 1 in 10 (and 19 in 20 than 9 in 10): 0.95 read "about 9 in 10" (first review)
    if p < 0.075:
        return "about 1 in 20"
    if p >= 0.925:
        return "about 19 in 20"
    tenths = min(max(round(p * 10), 1), 9)
    return f"about {tenths} in 10"
