"""Make the compact copy of DfE's published tables that the app and the tests use (``data/published/``).

Reads the tidy extracts in ``../shared/data/dfe`` (or ``--src``) and keeps only the rows and
columns that ``csc_model.published`` reads: local authorities, regions and England; the
characteristics the scenario and the benchmarks use. Suppression codes (``c``, ``x``, ``z``,
``k``, ``low``) are kept as they are in ``number``. Output: gzip-compressed CSV (pandas reads
them directly; the README beside them, with the source and licence, is kept by hand); then, made from those CSVs, their
pre-indexed form ``lookup.json.gz`` (quick to read: see ``csc_model/published/lookup.py``) and, for
the bundled copy, the forecast's numbers fitted at every cut-off (``forecast_fits.json``).

    python scripts/make_published_data.py [--src ../shared/data/dfe] [--out data/published]
    python scripts/make_published_data.py --derived-only   # only remake the lookup and the fits from the CSVs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LEVELS = {"Local authority": "la", "Regional": "region", "National": "england"}
HEADLINE_MEASURES = {
    "Children looked after at 31 March each year": "in_care",
    "Children starting to be looked after each year": "started",
    "Children ceasing to be looked after each year": "ceased",
}
CLA31_GROUPS = ("Age group", "Legal status", "Placement", "Place providers", "Unaccompanied asylum-seeking children")
STARTER_GROUPS = ("Age on starting", "Legal status", "Unaccompanied asylum-seeking children")
CEASED_GROUPS = ("Age on ceasing", "Reason episode ceased", "Unaccompanied asylum-seeking children")
WORKFORCE_COLS = (
    "inpost_fte",
    "agency_fte",
    "agency_rate_fte",
    "vacancy_fte",
    "vacancy_rate_fte",
    "turnover_rate_fte",
    "caseload_fte",
)


def _area(df: pd.DataFrame, name_col: str) -> pd.DataFrame:
    """Keep LA, regional and national rows; one key ``area``: LA code, region name or England."""
    df = df[df["geographic_level"].isin(LEVELS)].copy()
    df["level"] = df["geographic_level"].map(LEVELS)
    df["area"] = df["new_la_code"].where(df["level"] == "la", df[name_col].where(df["level"] == "region", "England"))
    return df


def _characteristics(src: Path, file: str, groups: tuple[str, ...], name_col: str) -> pd.DataFrame:
    df = _area(pd.read_csv(src / file, dtype=str, keep_default_na=False), name_col)
    df = df[df["cla_group"].isin(groups)]
    return df[["time_period", "area", "cla_group", "characteristic", "number"]].reset_index(drop=True)


def make(src: Path, out: Path) -> dict[str, int]:
    """Write the compact tables to ``out``; returns rows written by file name."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}

    def save(df: pd.DataFrame, name: str) -> None:
        df.to_csv(out / name, index=False, compression={"method": "gzip", "mtime": 0})
        written[name] = len(df)

    head = _area(pd.read_csv(src / "cla_headline_numbers.csv", dtype=str, keep_default_na=False), "region_name")
    head["measure"] = head["measure"].map(HEADLINE_MEASURES)
    areas = (
        head[head["level"] == "la"][["new_la_code", "old_la_code", "la_name", "region_name"]]
        .drop_duplicates("new_la_code", keep="first")
        .sort_values("la_name")
    )
    areas.to_csv(out / "authorities.csv", index=False)
    written["authorities.csv"] = len(areas)
    save(head[["time_period", "area", "measure", "population_estimate", "number"]], "headline.csv.gz")
    save(_characteristics(src, "cla_31_march_by_characteristic.csv", CLA31_GROUPS, "region_name"), "in_care.csv.gz")
    save(_characteristics(src, "cla_starters_by_characteristic.csv", STARTER_GROUPS, "region_name"), "started.csv.gz")
    save(_characteristics(src, "cla_ceased_by_characteristic.csv", CEASED_GROUPS, "la_or_area_name"), "ceased.csv.gz")
    wf = pd.read_csv(src / "csww_workforce_indicators.csv", dtype=str, keep_default_na=False)
    wf = wf[wf["time_identifier"] == "Reporting year"] if "time_identifier" in wf else wf
    wf = _area(wf, "region_name")
    save(wf[["time_period", "area", *WORKFORCE_COLS]], "workforce.csv.gz")
    pop = _area(pd.read_csv(src / "population_0_17.csv", dtype=str, keep_default_na=False), "region_name")
    save(pop[["time_period", "area", "population_estimate"]], "population.csv.gz")
    sn = pd.read_csv(src / "statistical_neighbours.csv", dtype=str, keep_default_na=False)
    sn = sn[["old_la_code", *[f"SN_{i}" for i in range(1, 11)]]]
    sn.to_csv(out / "statistical_neighbours.csv", index=False)
    written["statistical_neighbours.csv"] = len(sn)
    return written


def make_derived(out: Path) -> list[Path]:
    """Write the lookup made from the CSVs in ``out`` and, if ``out`` is the bundled copy, the stored fits."""
    from csc_model.published import data as pub
    from csc_model.published.forecast import write_fits

    written = [pub.write_lookup(out)]
    if out.resolve() == pub.PUBLISHED_DIR.resolve():
        written.append(write_fits())
    else:
        print(f"not the bundled copy ({pub.PUBLISHED_DIR}): the forecast's fits are not stored")
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", default=str(ROOT.parent / "shared" / "data" / "dfe"), help="the shared DfE extracts")
    ap.add_argument("--out", default=str(ROOT / "data" / "published"), help="where to write the compact copy")
    ap.add_argument("--derived-only", action="store_true", help="only remake the lookup and the fits from the CSVs")
    args = ap.parse_args()
    if not args.derived_only:
        for name, n in make(Path(args.src), Path(args.out)).items():
            print(f"{name}: {n:,} rows")
    for path in make_derived(Path(args.out)):
        print(f"{path.name}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
