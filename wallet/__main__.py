"""``python -m wallet``: the same as ``satchel-wallet``."""

import sys

from wallet.cli import main

sys.exit(main())
