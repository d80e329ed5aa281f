"""``python -m ubereport`` is the ``ubereport`` command."""

import sys

from ubereport.cli import main

sys.exit(main())
