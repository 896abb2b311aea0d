"""How a scenario is projected: the week-by-week transition tables and the two solvers.

* :mod:`.structure` - a :class:`~csc_model.scenario.Scenario` turned into transition tables;
* :mod:`.deterministic` - the expected-value solver;
* :mod:`.engine` - both solvers behind one interface (deterministic and stochastic runs);
* :mod:`.starting`, :mod:`.run_params`, :mod:`.uncertainty` - the known starting children of
  stochastic runs, per-run parameters, and the rates' own uncertainty drawn for each run.
"""
