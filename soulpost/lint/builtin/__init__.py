"""Rules written in Python: those that need more than a phrase list or a count."""

from __future__ import annotations

from soulpost.lint.builtin import content, linebreaks, meta, platform, queue, reach, timing
from soulpost.lint.rule import Rule

RULES: tuple[type[Rule], ...] = (
    *content.RULES,
    *queue.RULES,
    *platform.RULES,
    *reach.RULES,
    *timing.RULES,
    *meta.RULES,
    *linebreaks.RULES,
)
