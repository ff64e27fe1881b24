"""Where a finding is: from a rule's hit to a line and column in the post's file.

Rules say where they found something as a TOML key path and an offset in a string
(:class:`~soulpost.lint.rule.Hit`); users and editors want a line and a column.
:class:`Locator` does the translation one post at a time and :func:`make_finding` builds the
:class:`~soulpost.lint.model.Finding` the engine reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from soulpost.lint.model import Finding

if TYPE_CHECKING:
    from soulpost.lint.rule import Hit, Rule
    from soulpost.lint.select import RuleSet
    from soulpost.posts import Post
    from soulpost.tomlpos import SourceMap


class Locator:
    """Turns a hit into a line and column in the post's file.

    It keeps one post's source map at a time (the engine hands it findings grouped by post)
    and builds the map from the text the loader kept rather than through ``Post.source``,
    which would keep every map alive for as long as the workspace: memory stays flat
    however large the queue.
    """

    def __init__(self) -> None:
        # The post itself, not its id(): a worker frees each post when done with it, and
        # the next one may reuse the address.
        self.post: Post | None = None
        self.toml = False
        self.raw: str | None = None
        self.source: SourceMap | None = None
        # Top-level keys of this post found so far: several findings often share one.
        self.keys: dict[str, tuple[int, str] | None] = {}

    def _load(self, post: Post) -> None:
        self.post = post
        path = post.path  # a private pydantic attribute: slow, read it once
        self.toml = path is not None and path.suffix == ".toml"
        self.source = None
        self.keys = {}
        # Kept from loading: no second trip to the disk. Scanned only when needed.
        self.raw = post.raw_text() if path is not None and self.toml else None

    def _source(self) -> SourceMap | None:
        if self.source is None and self.raw is not None:
            from soulpost.tomlpos import SourceMap

            self.source = SourceMap.scan(self.raw)
        return self.source

    def __call__(self, post: Post, hit: Hit) -> tuple[int, int]:
        if post is not self.post:
            self._load(post)
        if not self.toml:
            # stdin or a plain text file: the text *is* the file.
            text = hit.text or ""
            before = text[: hit.start]
            line = before.count("\n") + 1
            return line, hit.start - (before.rfind("\n") + 1) + 1
        if len(hit.loc) == 1 and self.raw is not None:
            # Most findings point at a top-level key (``text``, ``at``): find its line
            # without scanning the whole file.
            from soulpost.tomlpos import string_position, top_level_key

            key = str(hit.loc[0])
            if key in self.keys:
                found = self.keys[key]
            else:
                found = self.keys[key] = top_level_key(self.raw, key)
            if found is not None:
                line, raw = found
                if hit.text is None:
                    return line, 1
                return string_position(raw, line, hit.start, hit.text)
        source = self._source()
        if source is None:
            return 1, 1
        if hit.text is None:
            return source.line_of(hit.loc) or 1, 1
        return source.position(hit.loc, hit.start, hit.text)


def make_finding(
    rule: Rule, ruleset: RuleSet, hit: Hit, post: Post, path: str, *, locate: Locator
) -> Finding:
    spec = rule.spec
    line, column = locate(post, hit)
    return Finding(
        code=spec.code,
        name=spec.name,
        lesson=spec.lesson,
        severity=hit.severity or ruleset.severity[spec.code],
        message=hit.message,
        path=path,
        line=line,
        column=column,
        post_id=post.id,
        platform=hit.platform,
        hint=hit.hint,
    )
