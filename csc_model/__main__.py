"""``python -m csc_model``: see :mod:`csc_model.cli`."""

import sys

from csc_model.cli import main

sys.exit(main())
