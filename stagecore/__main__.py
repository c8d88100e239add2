"""`python -m stagecore`: python puts the working directory first on sys.path, where a repository's own
`copy.py` or `json.py` (DVC's tests have a stage script named copy.py) would shadow the standard library
and run as stagecore. Our own modules come from the package already imported, so the entry is dropped."""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from stagecore.cli import main  # noqa: E402

raise SystemExit(main())
