"""``python -m csc_model``: see :mod:`csc_model.cli`."""

import sys

from .cli import main

sys.exit(main())
