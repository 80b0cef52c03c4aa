"""``python -m kam_metrics``: the command line of docs/cli.md (see kam_metrics.cli.main)."""

import sys

from kam_metrics.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
