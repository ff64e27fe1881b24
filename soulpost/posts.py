"""The Post model, and reading and writing post files.

A post file is TOML in ``queue/``. Reading validates strictly (unknown keys are errors) and
resolves a local ``at`` in the workspace time zone by the rule in :mod:`soulpost.timeutil`.
Writing is atomic and never replaces an existing post: the file appears whole or not at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Literal

import tomli
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from soulpost.errors import InputError
from soulpost.errors import PostInvalid as PostInvalid  # noqa: PLC0414 (re-exported)
from soulpost.factories import new_dict, new_list
from soulpost.ondemand import factory_of
from soulpost.postmedia import media_outside, outside_error
from soulpost.problems import loc_text, short_repr, toml_error, validation_errors
from soulpost.timeutil import (
    LocalTimeKind,
    check_instant,
    check_range,
    parse_duration,
    resolve_local,
)
from soulpost.tomlpos import Loc, SourceMap, nesting_bound, too_deep

# How late a post may still go out: zero (only on time) up to a year.
LATENESS_RANGE = (timedelta(0), timedelta(days=366))
# Deeper tables and arrays are refused: a post needs about six levels; depth makes parsers recurse.
MAX_DEPTH = 32

POST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Media(_Strict):
    """An image (or other file) attached to a post, with its alt text."""

    path: str
    alt: str | None = None


class ThreadPart(_Strict):
    """A follow-up part of a thread, posted as a reply to the part before it."""

    text: str
    media: list[Media] = Field(default_factory=new_list)


def _thread_parts(value: Any) -> Any:
    if isinstance(value, list):
        return [{"text": item} if isinstance(item, str) else item for item in value]
    return value


class Variant(_Strict):
    """A per-platform override of the post's text, media or thread, and the platform's own
    settings for this post (``options``: e.g. a Mastodon content warning), which the
    platform's adapter checks and sends."""

    text: str | None = None
    media: list[Media] | None = None
    thread: list[ThreadPart] | None = None
    first_comment: str | None = None
    options: dict[str, Any] | None = None

    @field_validator("thread", mode="before")
    @classmethod
    def _parts(cls, value: Any) -> Any:
        return _thread_parts(value)


class PostLint(_Strict):
    """Per-post lint suppressions: rule codes or names, with an optional reason."""

    ignore: list[str] = Field(default_factory=new_list)
    reason: str | None = None


class Post(_Strict):
    """One draft in the queue."""

    id: str
    text: str
    platforms: list[str] = Field(default_factory=new_list, validate_default=True)
    at: datetime | None = None
    status: Literal["draft", "approved"] = "draft"
    tags: list[str] = Field(default_factory=new_list)
    media: list[Media] = Field(default_factory=new_list)
    variants: dict[str, Variant] = Field(default_factory=new_dict)
    thread: list[ThreadPart] = Field(default_factory=new_list)
    first_comment: str | None = None
    card: bool = True
    lint: PostLint = Field(default_factory=factory_of(PostLint))
    max_lateness: timedelta | None = None
    repeat: str | None = None
    evergreen: bool = False
    rotate: list[str] = Field(default_factory=new_list)

    _time_kind: LocalTimeKind | None = PrivateAttr(default=None)
    _path: Path | None = PrivateAttr(default=None)
    _source: SourceMap | None = PrivateAttr(default=None)
    _raw: str | None = PrivateAttr(default=None)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not POST_ID.match(value):
            raise ValueError(
                "must start with a letter or digit and use only letters, digits, '.', '_' "
                "or '-' (at most 128 characters)"
            )
        return value

    @field_validator("platforms", mode="before")
    @classmethod
    def _platforms(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            value = [value]
        if value == [] or value is None:
            defaults = (info.context or {}).get("default_platforms") or []
            if not defaults:
                raise ValueError(
                    'no platforms: add platforms = ["mastodon", ...] to the post or '
                    "default_platforms to config.toml"
                )
            return list(defaults)
        if not isinstance(value, list):
            return value  # pydantic reports the type error with the key and line
        known = (info.context or {}).get("platforms")
        if known is not None:
            unknown = [p for p in value if isinstance(p, str) and p not in known]
            if unknown:
                raise ValueError(
                    f"unknown platform {', '.join(map(repr, unknown))}; expected one of "
                    f"{', '.join(sorted(known))} (or configure it under [platforms] in config.toml)"
                )
        if len(set(map(str, value))) != len(value):
            raise ValueError("lists the same platform twice")
        return value

    @field_validator("variants")
    @classmethod
    def _variants(cls, value: dict[str, Variant], info: ValidationInfo) -> dict[str, Variant]:
        known = (info.context or {}).get("platforms")
        if known is not None:
            unknown = [p for p in value if p not in known]
            if unknown:
                raise ValueError(
                    f"variant for unknown platform {', '.join(map(repr, unknown))}; expected "
                    f"one of {', '.join(sorted(known))}"
                )
        return value

    @field_validator("thread", mode="before")
    @classmethod
    def _thread(cls, value: Any) -> Any:
        return _thread_parts(value)

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            try:
                value = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    "expected a date and time such as 2026-12-01T09:00:00+01:00 or a local "
                    "2026-12-01T09:00:00"
                ) from None
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                value = value.date()
        if isinstance(value, date) and not isinstance(value, datetime):
            raise ValueError(f"a date without a time; write e.g. {value.isoformat()}T09:00:00")
        if isinstance(value, time):
            raise ValueError("a time without a date; write e.g. 2026-12-01T09:00:00")
        return value

    @field_validator("at")
    @classmethod
    def _at_range(cls, value: datetime | None) -> datetime | None:
        return check_instant(value) if value is not None else None

    @field_validator("max_lateness", mode="before")
    @classmethod
    def _lateness(cls, value: Any) -> Any:
        if value is None:
            return None
        return check_range(parse_duration(value, signed=True), "max_lateness", *LATENESS_RANGE)

    @field_validator("repeat")
    @classmethod
    def _repeat(cls, value: str | None, info: ValidationInfo) -> str | None:
        from soulpost.series import check_rule

        zone = (info.context or {}).get("zone")
        return None if value is None else check_rule(value, info.data.get("at"), zone)

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> Post:
        if not self.text.strip() and not self.media:
            raise ValueError("text is empty and there is no media: write the post's text")
        if self.evergreen and (self.at is not None or self.repeat is not None):
            raise ValueError(
                "evergreen: an evergreen post is re-shared into [evergreen] slots; remove "
                "at and repeat (or evergreen)"
            )
        if self.at is not None:
            if self.at.tzinfo is None:
                zone: tzinfo | None = (info.context or {}).get("zone")
                if zone is None:
                    raise ValueError(
                        "at: a local time but config.toml sets no timezone; add "
                        'timezone = "Europe/London" (an IANA name) or give an offset '
                        "such as +01:00"
                    )
                at, kind = resolve_local(self.at, zone)
                self.__dict__["at"] = at  # "at" is already among the fields set
            else:
                kind = LocalTimeKind.EXPLICIT
            # ``self._time_kind = kind`` without a validating __setattr__, as build_post does
            private = self.__pydantic_private__
            assert private is not None  # model_post_init ran before this validator
            private["_time_kind"] = kind
        return self

    # The properties read pydantic's private store directly: ``self._path`` misses the normal
    # lookup first and ``BaseModel.__getattr__`` is several times slower, for every post.

    @property
    def time_kind(self) -> LocalTimeKind | None:
        """How ``at`` was resolved (None when the post has no time)."""
        private = self.__pydantic_private__
        return private["_time_kind"] if private is not None else None

    @property
    def path(self) -> Path | None:
        """The file the post was read from."""
        private = self.__pydantic_private__
        return private["_path"] if private is not None else None

    @property
    def source(self) -> SourceMap | None:
        """Key positions in the file, for messages that point at a line (built on first use)."""
        if self._source is None:
            raw = self.raw_text()
            if raw is not None:
                self._source = SourceMap.scan(raw)
        return self._source

    def raw_text(self) -> str | None:
        """The file's text as it was loaded (read again only for posts built without it)."""
        private = self.__pydantic_private__
        if private is not None and private["_raw"] is not None:
            return str(private["_raw"])
        if self._raw is None and self._path is not None:
            try:
                self._raw = self._path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
        return self._raw

    def summary(self) -> PostSummary:
        """The values queue rules read, small enough to send to another process cheaply.

        The file's path is left out: the receiver knows which file it asked for.
        """
        lint = self.lint if self.lint.ignore else None
        private = self.__pydantic_private__ or {}
        return (
            self.id,
            self.text,
            self.platforms,
            self.at,
            self.status,
            self.tags,
            lint,
            self.max_lateness,
            private.get("_raw"),
            private.get("_time_kind"),
        )

    @classmethod
    def from_summary(cls, summary: PostSummary, path: Path | None) -> Post:
        """A post from *path* with *summary*'s values and no media, variants or thread parts.

        Nothing is validated again: another process validated the whole post when it loaded
        it. The object is filled in the way unpickling fills a model, at a hundredth of the
        cost of ``model_construct``. Only the linter's parallel pass uses this, to give queue
        rules that declare ``needs_whole_posts = False`` what they read.
        """
        post_id, text, platforms, at, status, tags, lint, lateness, raw, kind = summary
        values: dict[str, Any] = {
            "id": post_id,
            "text": text,
            "platforms": platforms,
            "at": at,
            "status": status,
            "tags": tags,
            "media": [],
            "variants": {},
            "thread": [],
            "lint": lint if lint is not None else _NO_LINT,
            "max_lateness": lateness,
        }
        post = cls.__new__(cls)  # then what BaseModel.__setstate__ does, minus a state dict
        object.__setattr__(post, "__pydantic_fields_set__", {"id", "text", "platforms"})
        object.__setattr__(post, "__pydantic_extra__", None)
        private = {"_time_kind": kind, "_path": path, "_source": None, "_raw": raw}
        object.__setattr__(post, "__pydantic_private__", private)
        object.__setattr__(post, "__dict__", values)
        return post

    def text_for(self, platform: str) -> str:
        """The text sent to *platform*: its variant's text or the post's own."""
        variant = self.variants.get(platform)
        return variant.text if variant and variant.text is not None else self.text

    def media_for(self, platform: str) -> list[Media]:
        """The media sent to *platform*."""
        variant = self.variants.get(platform)
        return variant.media if variant and variant.media is not None else self.media

    def options_for(self, platform: str) -> dict[str, Any]:
        """This post's own settings for *platform* (``[variants.NAME.options]``)."""
        variant = self.variants.get(platform)
        return dict(variant.options) if variant and variant.options else {}

    def thread_for(self, platform: str) -> list[ThreadPart]:
        """The follow-up parts sent to *platform*."""
        variant = self.variants.get(platform)
        return variant.thread if variant and variant.thread is not None else self.thread

    def first_comment_for(self, platform: str) -> str:
        """The comment posted under the post on *platform* ("" for none; a variant's
        ``first_comment = ""`` turns the post's off there)."""
        variant = self.variants.get(platform)
        if variant is not None and variant.first_comment is not None:
            return variant.first_comment.strip()
        return (self.first_comment or "").strip()


# A new Post's private attributes. pydantic's ``init_private_attributes`` (validation's
# ``model_post_init``) deep-copies each default, a twelfth of loading a post: all None here.
_PRIVATE_DEFAULTS = {name: attr.get_default() for name, attr in Post.__private_attributes__.items()}


def _init_private(self: BaseModel, context: Any, /) -> None:
    if getattr(self, "__pydantic_private__", None) is None:
        object.__setattr__(self, "__pydantic_private__", _PRIVATE_DEFAULTS.copy())


if all(value is None for value in _PRIVATE_DEFAULTS.values()):
    Post.model_post_init = _init_private  # type: ignore[method-assign]


def parse_post(text: str, path: Path, context: dict[str, Any]) -> Post:
    """Validate the TOML *text* of the post file *path*; raise PostInvalid with every problem."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise PostInvalid([toml_error(exc, path)]) from None
    return build_post(data, path, context, text)


def build_post(
    data: dict[str, Any], path: Path, context: dict[str, Any], text: str | None = None
) -> Post:
    """Validate parsed post *data* from *path*; *text* (the raw file) is read again if needed.

    Raises PostInvalid, and only PostInvalid, for anything wrong with the file: a draft is
    untrusted input, and one bad draft must never stop the others from loading.
    """
    if "id" not in data:  # not setdefault: most drafts name their id; stem costs
        data["id"] = path.stem
    try:
        # *text* is what *data* was parsed from: when it cannot nest that deep, no need to walk.
        if text is None or nesting_bound(text) >= MAX_DEPTH:
            deep = too_deep(data, MAX_DEPTH)
            if deep is not None:
                raise PostInvalid([_too_deep(deep, path, text)])
        try:
            post = Post.model_validate(data, context=context)
        except ValidationError as exc:
            smap = SourceMap.scan(_raw(path, text))
            raise PostInvalid(validation_errors(exc, path, smap, Post)) from None
        paths = [(loc, item.path) for loc, item in _media_of(post)]
        outside = media_outside(paths, context.get("root"), context.get("media_checked"))
        if outside:
            smap = SourceMap.scan(_raw(path, text))
            raise PostInvalid([outside_error(loc, why, path, smap) for loc, why in outside])
    except PostInvalid:
        raise
    except Exception as exc:  # a bug must not stop the queue either; say which file
        problem = f"could not be loaded ({type(exc).__name__}: {short_repr(str(exc), 200)})"
        raise PostInvalid(
            [InputError(problem, path=path, hint="check the file; please report this")]
        ) from None
    # Straight into pydantic's store: ``post._path = ...`` costs a validating __setattr__.
    private = post.__pydantic_private__
    assert private is not None  # Post declares private attributes
    private["_path"] = path
    private["_raw"] = text
    return post


def _raw(path: Path, text: str | None) -> str:
    if text is not None:
        return text
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _too_deep(loc: Loc, path: Path, text: str | None) -> InputError:
    shown = loc_text(loc[:4]) + ("..." if len(loc) > 4 else "")
    line = SourceMap.scan(_raw(path, text)).line_of(loc[:4]) if text is not None else None
    return InputError(
        f"tables or arrays nested more than {MAX_DEPTH} levels deep",
        path=path,
        line=line,
        key=shown or None,
        hint="a post needs only a few levels: text, platforms, [[media]], [variants.NAME]",
    )


def _media_of(post: Post) -> Iterable[tuple[Loc, Media]]:
    """Every media entry of *post* (its own, its thread's, its variants'), with its key."""
    for i, item in enumerate(post.media):
        yield ("media", i), item
    for n, part in enumerate(post.thread):
        for i, item in enumerate(part.media):
            yield ("thread", n, "media", i), item
    for name, variant in post.variants.items():
        for i, item in enumerate(variant.media or ()):
            yield ("variants", name, "media", i), item
        for n, part in enumerate(variant.thread or ()):
            for i, item in enumerate(part.media):
                yield ("variants", name, "thread", n, "media", i), item


_NO_LINT = PostLint()  # shared by summary posts: nothing in the linter changes it

PostSummary = tuple[
    str,
    str,
    list[str],
    datetime | None,
    str,
    list[str],
    PostLint | None,
    timedelta | None,
    str | None,
    LocalTimeKind | None,
]


def slugify(text: str, limit: int = 48) -> str:
    """A file-name-safe slug from the first words of *text*."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "post"


def dump_post(data: dict[str, Any]) -> str:
    """Serialise a post's data as TOML, keys in the order a person reads them."""
    import tomli_w

    order = ["id", "text", "platforms", "at", "status", "tags", "max_lateness"]
    ordered = {k: data[k] for k in order if k in data and data[k] not in (None, [], {})}
    ordered.update({k: v for k, v in data.items() if k not in ordered and v not in (None, [], {})})
    return tomli_w.dumps(ordered, multiline_strings=True)
