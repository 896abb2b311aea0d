"""What a projection says: tidy tables, one rounding rule, plain-English words and lever attribution.

* :mod:`.results` - run a scenario and report it by week, month or financial year;
* :mod:`.rounding` - the one rounding rule for every figure shown;
* :mod:`.wording`, :mod:`.narrative` - plain-English values, changes and headline sentences;
* :mod:`.attribution` - which levers drive the difference from the baseline.
"""
