"""The bundle's entry point: the same ``aiser`` command as ``pip install`` gives."""

import multiprocessing
import sys

from aiser_desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
