"""``python -m coremeter``."""

import sys

from coremeter.cli import main

if __name__ == "__main__":
    sys.exit(main())
