"""``python -m kam_metrics``: the command line of design.md §7 (see kam_metrics.cli.main)."""

import sys

from kam_metrics.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
