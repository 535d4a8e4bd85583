"""``python -m traindebug`` is the ``traindebug`` command."""

import sys

from traindebug.cli import main

sys.exit(main())
