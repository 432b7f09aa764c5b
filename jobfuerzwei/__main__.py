"""``python -m jobfuerzwei``."""

from jobfuerzwei.cli import main

raise SystemExit(main())
