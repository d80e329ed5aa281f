"""``python -m ubereport`` is the ``ubereport`` command."""

import sys

from ubereport.cli import main

if __name__ == "__main__":  # worker processes import this module too (spawn)
    sys.exit(main())
