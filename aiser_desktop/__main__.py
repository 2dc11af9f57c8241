"""``python -m aiser_desktop``: the same as the ``aiser`` command."""

import sys

from aiser_desktop.cli import main

sys.exit(main())
