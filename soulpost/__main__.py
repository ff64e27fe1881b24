"""Allow ``python -m soulpost``."""

from soulpost.cli import main

raise SystemExit(main())
