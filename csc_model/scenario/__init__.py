"""What a projection is asked: the typed scenario, how it is read, checked and defaulted.

* :mod:`.core` - :class:`Scenario`, immutable, with an exact JSON round trip;
* :mod:`.fields` - its parts (entries, legal stages, placements, costs) and the metadata of each
  field (label, unit, allowed range, help) that validation, the CLI and the app all read;
* :mod:`.codec`, :mod:`.errors` - JSON to typed parts and back; the problems found on the way;
* :mod:`.json_io` - the one hardened reader of scenario JSON (files, uploads, share links);
* :mod:`.validate` - ranges and cross-field rules;
* :mod:`.defaults`, :mod:`.presets`, :mod:`.config`, :mod:`.calendar` - the bundled default
  scenario, the one-click "what if" presets, placement types and data files, financial years.
"""

from csc_model.scenario.codec import get_path, set_path
from csc_model.scenario.core import Scenario, diff, field_meta
from csc_model.scenario.errors import Issue, ScenarioError
from csc_model.scenario.fields import (
    AGE_BAND_LABELS,
    AGE_BAND_YEARS,
    AGE_BANDS,
    HEARING_OUTCOMES,
    SCENARIO_VERSION,
    STAGE_KEYS,
    CareOrder,
    Costs,
    Entries,
    Initial,
    PlacementMove,
    PlacementOrder,
    Placements,
    PlacementShift,
    Proceedings,
    Section20,
    Surge,
    meta,
)

__all__ = [
    "AGE_BANDS",
    "AGE_BAND_LABELS",
    "AGE_BAND_YEARS",
    "HEARING_OUTCOMES",
    "SCENARIO_VERSION",
    "STAGE_KEYS",
    "CareOrder",
    "Costs",
    "Entries",
    "Initial",
    "Issue",
    "PlacementMove",
    "PlacementOrder",
    "PlacementShift",
    "Placements",
    "Proceedings",
    "Scenario",
    "ScenarioError",
    "Section20",
    "Surge",
    "diff",
    "field_meta",
    "get_path",
    "meta",
    "set_path",
]
