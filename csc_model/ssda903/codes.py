"""Code tables: how SSDA903 codes (placement, legal status, reason ceased) map onto the model (``data/``)."""

from __future__ import annotations

import pandas as pd

from csc_model.scenario.config import DATA_DIR

PRIVATE_PROVIDERS = {"PR4", "PR5"}
ROUTES = ("returned_home", "sgo_cao", "adoption", "age_18", "other", "continues")
"""Routes a reason ceased (REC) can count as: the model's exit routes, or care continuing (X1)."""


def placement_codes() -> pd.DataFrame:
    """SSDA903 placement codes and the placement type each counts as (``data/``)."""
    return pd.read_csv(DATA_DIR / "ssda903_placement_codes.csv", dtype=str, keep_default_na=False)


def legal_status_codes() -> pd.DataFrame:
    """SSDA903 legal statuses and the legal stage each counts as (``data/``)."""
    return pd.read_csv(DATA_DIR / "ssda903_legal_status.csv", dtype=str, keep_default_na=False)


def reasons_ceased() -> pd.DataFrame:
    """SSDA903 reasons an episode ceased (REC) and the route each counts as (``data/``).

    Routes are the model's ways of leaving care (returned_home, sgo_cao, adoption, age_18,
    other) or ``continues`` (X1: a new episode starts the same day, care goes on).
    """
    df = pd.read_csv(DATA_DIR / "ssda903_reasons_ceased.csv", dtype=str, keep_default_na=False)
    bad = sorted(set(df["route"]) - set(ROUTES))
    if bad:
        raise ValueError(f"ssda903_reasons_ceased.csv: unknown route {', '.join(bad)}; allowed {', '.join(ROUTES)}")
    return df
