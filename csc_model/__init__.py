"""csc_model: a stock-and-flow model of children in care, court proceedings and placement costs.

Pure Python and numpy; never imports streamlit. Sub-packages say what they hold:
:mod:`.scenario` (the typed inputs), :mod:`.solvers` (the projection), :mod:`.reporting` (tables and
words), :mod:`.ssda903` (calibration and back-test from an authority's own return) and
:mod:`.published` (every authority from DfE's published tables). Typical use::

    from csc_model import default_scenario, project
    res = project(default_scenario())
    res.table("fy")
"""

from csc_model.reporting.results import project
from csc_model.scenario import Scenario, ScenarioError
from csc_model.scenario.defaults import default_scenario

__all__ = ["Scenario", "ScenarioError", "default_scenario", "project"]
