"""csc_model: a stock-and-flow model of children in care, court proceedings and placement costs.

Pure Python and numpy; never imports streamlit. Typical use::

    from csc_model import default_scenario, project
    res = project(default_scenario())
    res.table("fy")
"""

from .defaults import default_scenario
from .scenario import Scenario, ScenarioError

__all__ = ["Scenario", "ScenarioError", "default_scenario"]
