"""Every English local authority from DfE's published statistics: scenarios, benchmarks and a back-test.

Pure pandas and numpy; reads the compact tables bundled in ``data/published/``.
"""

from csc_model.published.build import build_scenario
from csc_model.published.data import Authority, PublishedError, authorities, find_authority

__all__ = ["Authority", "PublishedError", "authorities", "build_scenario", "find_authority"]
