"""What a rule is: metadata, typed options, and one method that does the work.

A rule *kind* is a Python class (a subclass of :class:`PostRule` or :class:`QueueRule`). A
rule is a kind plus metadata (code, name, severity, lesson, documentation) and option
values: built-in Python rules carry all of that as class attributes, while a rule pack
(``rules/*.toml``) gives it as data for one of the reusable kinds in :mod:`.kinds`. Either way
the registry turns it into a :class:`RuleSpec`, and configuration turns a spec into a ready
:class:`Rule` whose options were validated exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from soulpost.factories import new_dict, new_list
from soulpost.lint.model import RuleInfo, Severity

if TYPE_CHECKING:
    from datetime import datetime

    from soulpost.lint.draft import Draft, QueueView, Segment
    from soulpost.posts import Post
    from soulpost.tomlpos import Loc

Scope = Literal["post", "queue"]
Parts = Literal["lead", "all"]


class RuleOptions(BaseModel):
    """Base for a rule's options: unknown keys are errors; values are immutable.

    Built on first use (``defer_build``): a run validates options only for the rules a
    configuration or a workspace pack sets, and shows them only for `rules` and the
    formats that list every rule; the shipped rules' own options are made without
    validating (see :meth:`RuleSpec.options`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


@dataclass(slots=True)  # read-only by convention; frozen would slow every hit (see Finding)
class Hit:
    """One thing a rule found; the engine turns it into a located :class:`Finding`.

    ``loc``/``start``/``text`` say where: the TOML key path of the string, the character
    offset inside it, and the string itself (so the offset can become a line and column).
    Queue rules set ``post`` to the post the finding belongs to. ``severity`` overrides the
    rule's for this finding only (a pack pattern that ran out of time is an error).
    """

    message: str
    loc: Loc = ("text",)
    start: int = 0
    text: str | None = None
    platform: str | None = None
    hint: str | None = None
    post: Post | None = None
    severity: Severity | None = None


class Rule:
    """Base class of every rule. Subclass :class:`PostRule` or :class:`QueueRule`.

    Class attributes are the rule's metadata and documentation. ``bad`` and ``good`` are
    examples (a post's text, or a whole post file as TOML; queue examples hold several posts
    separated by a line ``---``) that the test-suite runs: every bad example must make the
    rule fire and every good one must leave it silent.
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[Severity] = "warning"
    lesson: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    why: ClassVar[str] = ""
    bad: ClassVar[tuple[str, ...]] = ()
    good: ClassVar[tuple[str, ...]] = ()
    scope: ClassVar[Scope] = "post"
    message: ClassVar[str] = ""
    default_enabled: ClassVar[bool] = True
    Options: ClassVar[type[RuleOptions]] = RuleOptions
    kind: ClassVar[str] = ""  # the name a pack uses for this class, when it is a reusable kind

    def __init__(
        self,
        spec: RuleSpec,
        options: RuleOptions,
        allow: frozenset[str],
        *,
        deferred: bool = False,
    ) -> None:
        self.spec = spec
        self.options = options
        self.template = spec.message or type(self).message
        self.allow = allow
        self.languages = frozenset(spec.languages)
        self.ready = False
        if not deferred:
            self.set_up()

    def setup(self) -> None:
        """Prepare once (compile patterns) after options are known; called by ``__init__``,
        or, for a rule built *deferred*, by :meth:`set_up` before its first check."""

    def set_up(self) -> None:
        """Run :meth:`setup` unless it ran already.

        A shipped pack's rule with its own options cannot fail to set up, so configuration
        builds it *deferred* and the linter sets it up only when a post reaches it: one
        English draft never pays for preparing the German, French and Spanish packs.
        """
        if not getattr(self, "ready", True):  # a plugin's own __init__ may not set it
            self.setup()
            self.ready = True

    def say(self, **fields: Any) -> str:
        """The rule's message template filled with *fields*."""
        try:
            return self.template.format(**fields)
        except (KeyError, IndexError, ValueError):
            return self.template


class PostRule(Rule):
    """A rule that looks at one post at a time."""

    scope: ClassVar[Scope] = "post"

    # True declares that ``check`` reads the clock (``draft.now``) or the resolved time
    # (``draft.time``), which a post's file does not fix: the lint cache
    # (:mod:`soulpost.lint.cache`) then never keeps this rule's findings and runs it on
    # every lint. Such a rule may read only the post's top-level values (those of
    # :meth:`~soulpost.posts.Post.summary`), as it also runs on posts rebuilt from the cache.
    reads_clock: ClassVar[bool] = False

    def check(self, draft: Draft) -> Iterable[Hit]:
        """Yield what is wrong with *draft*."""
        raise NotImplementedError

    def quiet_until(self, draft: Draft) -> datetime | None:
        """For a rule that reads the clock: until when (inclusive) :meth:`check` surely
        finds nothing in *draft*, whatever ``draft.now`` is up to then; None (the default)
        promises nothing. The lint cache keeps a whole queue's report only as long as
        every such rule promises silence (:mod:`soulpost.lint.queuecache`)."""
        return None

    def candidates(self, drafts: Sequence[Draft], indexes: Sequence[int]) -> Sequence[int]:
        """Which of ``drafts[k] for k in indexes`` :meth:`check` could find something in
        (in order); the linter checks only those. The default: all of them.

        A rule that most drafts cannot trigger (its words are not in them) can settle
        them here in one tight loop, without a generator and a call per draft.
        """
        return indexes


class MediaRule(PostRule):
    """A post rule that finds nothing in a post without media (most posts)."""

    def candidates(self, drafts: Sequence[Draft], indexes: Sequence[int]) -> Sequence[int]:
        return [k for k in indexes if drafts[k].has_media]


class SegmentRule(PostRule):
    """A post rule that checks each piece of text on its own.

    ``parts = "lead"`` looks only at the text people see first (the post's text and its
    per-platform variants); ``"all"`` also checks each follow-up part of a thread.
    """

    parts: ClassVar[Parts] = "all"

    def check(self, draft: Draft) -> Iterator[Hit]:
        for segment in draft.segments:
            if self.parts == "lead" and not segment.lead:
                continue
            yield from self.check_segment(segment, draft)

    def check_segment(self, segment: Segment, draft: Draft) -> Iterable[Hit]:
        """Yield what is wrong with one piece of text."""
        raise NotImplementedError


class QueueRule(Rule):
    """A rule that looks at the whole queue (ratios, spacing, duplicates)."""

    scope: ClassVar[Scope] = "queue"

    # False declares that ``check_queue`` reads from each draft only its id, time and
    # settings, what ``prepare`` cached on it, and the post's top-level values (id, text,
    # platforms, at, status, tags, lint, path). The linter may then give ``check_queue``
    # posts without their media, variants and thread parts: it does so when it loads and
    # lints a large queue in worker processes, which is faster only because whole posts
    # never travel back. One rule that keeps the default True turns that off.
    needs_whole_posts: ClassVar[bool] = True

    def prepare(self, draft: Draft) -> None:
        """Compute what the rule will need from *draft* while its text is at hand.

        The engine calls this for every draft right after the post rules, then frees the
        draft's pieces of text, so a queue of 10,000 posts never holds them all at once.
        """

    def prepares_for(self, count: int) -> bool:
        """Whether :meth:`prepare` is worth calling on the drafts of a queue of at most
        *count* posts; False when the rule cannot fire on so few (then it must not need
        what ``prepare`` computes either)."""
        return True

    def check_queue(self, queue: QueueView) -> Iterable[Hit]:
        """Yield findings, each naming the post it belongs to in ``Hit.post``."""
        raise NotImplementedError


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the registry knows it: a kind plus metadata and default option values."""

    cls: type[Rule]
    code: str
    name: str
    severity: Severity
    lesson: str
    summary: str
    why: str = ""
    bad: tuple[str, ...] = ()
    good: tuple[str, ...] = ()
    message: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    origin: str = "builtin"
    default_enabled: bool = True
    # True for the packs shipped inside soulpost: their regular expressions were reviewed
    # and tested here, so they run without a time bound (see soulpost.lint.kinds.patterns).
    vetted: bool = False
    # The languages (ISO 639-1) whose posts the rule judges, from its pack; () means the
    # rule does not depend on language and runs on every post (see Draft.language).
    languages: tuple[str, ...] = ()
    # True when ``defaults`` are known to validate to themselves: they come from the
    # shipped packs' snapshot, checked when it was made (see soulpost.lint.packsnap).
    checked: bool = False

    @property
    def scope(self) -> Scope:
        return self.cls.scope

    @classmethod
    def from_class(cls, rule: type[Rule], origin: str = "builtin") -> RuleSpec:
        """The spec of a Python rule whose metadata are class attributes."""
        return cls(
            cls=rule,
            code=rule.code,
            name=rule.name,
            severity=rule.severity,
            lesson=rule.lesson,
            summary=rule.summary,
            why=rule.why,
            bad=tuple(rule.bad),
            good=tuple(rule.good),
            message=rule.message,
            origin=origin,
            default_enabled=rule.default_enabled,
        )

    def options(self, overrides: Mapping[str, Any] | None = None) -> RuleOptions:
        """Validate defaults plus *overrides*; raise ``ValueError`` naming the bad option.

        Without overrides, checked defaults and no defaults at all (each field's default,
        as validating ``{}`` gives) are made without validating: building the options
        models and validating some sixty rules' options was about 2 % of linting one draft.
        """
        if not overrides and (self.checked or not self.defaults):
            made = _made(self.cls.Options, self.defaults)
            if made is not None:
                return made
        data = {**self.defaults, **(overrides or {})}
        # A shipped pack's own values were checked by the test-suite (see check_patterns).
        context = {"vetted": self.vetted and not overrides}
        try:
            return self.cls.Options.model_validate(data, context=context)
        except ValidationError as exc:
            problems = []
            for err in exc.errors(include_url=False):
                where = ".".join(str(p) for p in err["loc"]) or "options"
                what = "unknown option" if err["type"] == "extra_forbidden" else err["msg"]
                problems.append(f"{where}: {what}")
            known = ", ".join(sorted(self.cls.Options.model_fields)) or "none"
            raise ValueError(f"{'; '.join(problems)} (options of {self.name}: {known})") from None

    def build(
        self,
        overrides: Mapping[str, Any] | None = None,
        allow: frozenset[str] = frozenset(),
        *,
        deferred: bool = False,
    ) -> Rule:
        """A rule instance (options validated here, once); set up unless *deferred*."""
        if deferred:
            return self.cls(self, self.options(overrides), allow, deferred=True)
        return self.cls(self, self.options(overrides), allow)  # as a plugin may expect

    def info(
        self, severity: Severity | None = None, options: RuleOptions | None = None
    ) -> RuleInfo:
        """Metadata and documentation for `soulpost rules`, `explain` and the formats."""
        opts = options if options is not None else self.options()
        fields = type(opts).model_fields
        return RuleInfo(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            lesson=self.lesson,
            summary=self.summary,
            why=self.why,
            bad=self.bad,
            good=self.good,
            options=opts.model_dump(mode="json"),
            option_docs={k: f.description or "" for k, f in fields.items()},
            scope=self.scope,
            origin=self.origin,
            languages=self.languages,
        )


# The default factories known to take no argument: pydantic asks each factory's signature
# every time it fills a default, and inspect reads a builtin's from its text (tokenize).
_PLAIN_FACTORIES: tuple[Callable[[], Any], ...] = (
    list,
    dict,
    set,
    frozenset,
    tuple,
    new_list,
    new_dict,
)
_IMMUTABLE = (str, int, float, bool, type(None), tuple, frozenset)


@cache
def _defaults(options: type[RuleOptions]) -> tuple[tuple[str, Any, bool], ...] | None:
    """How to fill each field of *options* that a value does not give: (name, default,
    whether the default is a factory to call); None when making the options without
    validating could differ from validating them (a model validator, a default that is
    validated or mutable, a factory that may take the data), as in a plugin's options."""
    if options.__pydantic_decorators__.model_validators:
        return None
    plan: list[tuple[str, Any, bool]] = []
    for name, info in options.model_fields.items():
        if info.validate_default:
            return None
        if info.default_factory is not None:
            if info.default_factory not in _PLAIN_FACTORIES:
                return None
            plan.append((name, info.default_factory, True))
        elif isinstance(info.default, _IMMUTABLE):
            plan.append((name, info.default, False))
        else:
            return None
    return tuple(plan)


def _made(options: type[RuleOptions], values: Mapping[str, Any]) -> RuleOptions | None:
    """*options* holding *values* (known to be valid) and each other field's default, as
    validating them would give, without validating; None when that cannot be sure."""
    plan = _defaults(options)
    if plan is None:
        return None
    full = dict(values)
    for name, default, factory in plan:
        if name not in full:
            full[name] = default() if factory else default
    return options.model_construct(set(values), **full)
