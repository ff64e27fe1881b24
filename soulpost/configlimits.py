"""The allowed ranges of the numbers in ``config.toml``: ``[publish]``'s durations and the
numeric ``options`` adapters read, checked where the config is loaded (soulpost.config).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

# The allowed range of each duration in [publish]. A zero or negative rescan or heartbeat
# would make the daemon spin; the maxima keep every sum of a time and a duration far
# from the end of the calendar and are longer than anyone means.
DURATION_RANGES: dict[str, tuple[timedelta, timedelta, bool]] = {
    # key: (lowest, highest, whether the lowest itself is excluded)
    "max_lateness": (timedelta(0), timedelta(days=366), False),
    "heartbeat": (timedelta(seconds=0.1), timedelta(days=1), False),
    "rescan": (timedelta(seconds=0.05), timedelta(hours=1), False),
    "retry_delay": (timedelta(0), timedelta(days=1), False),
    "min_gap": (timedelta(hours=1), timedelta(days=366), False),
    "platform_gap": (timedelta(0), timedelta(days=31), False),
    "lease": (timedelta(seconds=1), timedelta(days=1), False),
}

# Numbers adapters read from ``options``: (lowest, highest, whole numbers only). Checked
# here, where the config is loaded, so a bad value is an error naming the key before any
# pass starts rather than a crash (or a hang) in the middle of one.
NUMERIC_OPTIONS: dict[str, tuple[float, float, bool]] = {
    "connect_timeout": (0.001, 600.0, False),
    "read_timeout": (0.001, 600.0, False),
    "media_poll_interval": (0.001, 60.0, False),
    "media_poll_timeout": (0.001, 3600.0, False),
    "lookup_count": (1, 100, True),
    "max_image_bytes": (1, 1 << 30, True),
}


def check_option(key: str, value: Any) -> None:
    """ValueError naming *key* and its allowed range when a numeric option is out of it."""
    low, high, whole = NUMERIC_OPTIONS[key]
    kind = "a whole number" if whole else "a number"
    ok_type = isinstance(value, int) if whole else isinstance(value, int | float)
    if (
        isinstance(value, bool)
        or not ok_type
        or not (math.isfinite(value) and low <= value <= high)
    ):
        raise ValueError(
            f"options.{key} must be {kind} from {low:g} to {high:g}, got {value!r:.40}"
        )
