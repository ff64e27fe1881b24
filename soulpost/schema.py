"""JSON Schema for ``config.toml`` and for a post file, generated from the pydantic models.

The models in :mod:`soulpost.config` and :mod:`soulpost.posts` are the one source of truth:
the structure, the types, the defaults and the ``extra="forbid"`` that makes a typo'd key an
error all come from them. This module only adds what a model cannot say about a TOML file:

* descriptions for the keys (tested to name fields the models still have);
* the allowed values editors complete: platform names, rule codes and names with their
  lesson, day names;
* the shapes that ``mode="before"`` validators accept besides the declared type (a single
  string where a list is declared, thread parts written as plain strings);
* TOML has no null: an optional key is simply absent, so ``X | None`` becomes ``X``.

``soulpost schema config|post`` prints these; ``schemas/`` in the repository holds them,
and a test keeps the committed files equal to what this module generates. Nothing here is
imported by the CLI at start-up.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from soulpost.config import PLATFORM_NAME, Settings
from soulpost.lint.model import LESSONS
from soulpost.lint.registry import CODE, NAME, PREFIX, Registry, load_registry
from soulpost.platforms import PLATFORMS
from soulpost.posts import POST_ID, Post
from soulpost.timeutil import format_duration

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FILES = {"config": "config.schema.json", "post": "post.schema.json"}

DURATION = 'a duration such as "2h", "30m", "1d 12h" or "7d", or a number of seconds'

# model name -> field -> description. A key the models no longer have fails a test.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Settings": {
        "timezone": 'IANA time zone for local times in drafts and slots, e.g. "Europe/London".',
        "default_platforms": "Platforms a post goes to when it names none.",
        "platforms": "Platforms/accounts this workspace publishes to, by name.",
        "slots": "Posting slots: a post without `at` takes the next free one.",
        "lint": "Which lint rules run, their severity and options.",
        "publish": "Policy for the publishing pass and the daemon.",
        "archive": "Moving published posts out of queue/ (`soulpost archive`).",
        "feeds": "RSS/Atom feeds whose new items `soulpost import feed` turns into drafts.",
        "alerts": "Messages to people when a publication fails, is missed or is in doubt, "
        "or the daemon's heartbeat stops (docs/alerts.md).",
        "evergreen": "When the pool of evergreen posts is re-shared (docs/planning.md).",
    },
    "EvergreenSettings": {
        "start": "The first day evergreen slots are filled (the schedule is computed from it).",
        "weeks": "How many weeks of evergreen slots, from start.",
        "slots": "The slots evergreen posts go into (like [[slots]]).",
        "min_gap": "The shortest time between two shares of the same post. " + DURATION,
        "platform_gap": "The shortest time between two evergreen shares on one platform. "
        + DURATION,
    },
    "FeedSettings": {
        "name": 'The feed\'s name (e.g. "blog"): `soulpost import feed blog`.',
        "url": "The feed's http(s) URL, or a file path relative to the workspace.",
        "template": "The draft's text: {title}, {link}, {summary}, {author}, {feed} and "
        "{published} are the item's.",
        "platforms": "Where the drafts go (default: default_platforms).",
        "tags": "Tags written into every draft from this feed.",
        "schedule": "slot: no `at`, the draft takes the next free slot when approved; "
        "next-slot: write the next free slot as its `at`.",
        "max_new": "At most this many drafts per run; the rest come at the next run.",
    },
    "AlertSettings": {
        "platforms": "Configured [platforms.NAME] that deliver alerts (slack, discord or "
        "webhook adapters).",
        "email": "Alerts by email over SMTP.",
        "on": "Which incidents alert: failed, missed, in_doubt, stalled (the daemon).",
        "stale_after": "A daemon heartbeat older than this is stalled (default: three "
        "heartbeats, at least a minute). " + DURATION,
        "history_link": "A URL shown in each alert, {id} is the post id "
        "(e.g. https://ci.example.org/history/{id}).",
        "timeout": "Seconds each webhook alert may take; a slow channel never holds a pass up.",
    },
    "EmailAlerts": {
        "host": "SMTP server host name.",
        "port": "SMTP port (587 for STARTTLS, 465 for ssl).",
        "security": "starttls (default), ssl (implicit TLS) or none (local relays only).",
        "sender": "The From address.",
        "to": "Recipients.",
        "username_env": "NAME of the environment variable holding the SMTP user name.",
        "password_env": "NAME of the environment variable holding the SMTP password.",
        "cafile": "A CA bundle (PEM) to verify the server with, relative to the workspace.",
        "timeout": "Seconds the SMTP conversation may take.",
    },
    "ArchiveSettings": {
        "after": "Archive a post automatically this long after it was published on its "
        "last platform, at the end of each publishing pass (unset: only by "
        "`soulpost archive`). " + DURATION,
        "dir": "Folder archived posts move to, relative to the workspace, outside queue/.",
    },
    "PlatformSettings": {
        "adapter": 'Adapter that delivers this platform (default: its own name; "outbox" '
        'writes to .soulpost/outbox.jsonl, "console" prints).',
        "account": "The account, for display (e.g. @name@example.social).",
        "env": "Credential role -> NAME of the environment variable that holds it "
        '(never the secret itself), e.g. { token = "SOULPOST_MASTODON_TOKEN" }.',
        "options": "Adapter options (see `soulpost adapters`).",
        "slots": "This platform's own posting slots, instead of the global ones.",
        "login": "How `soulpost login` connects this platform (client id, URLs, scopes).",
    },
    "LoginSettings": {
        "client_id": "The OAuth app's client id (public; register the app with the platform).",
        "client_secret_env": "NAME of the environment variable holding the app's client "
        "secret, for confidential apps (never the secret itself).",
        "authorize_url": "Override the platform's authorization URL.",
        "token_url": "Override the platform's token URL (also used to refresh).",
        "scopes": "Override the scopes soulpost asks for.",
        "redirect_port": "Loopback port for the redirect http://127.0.0.1:PORT/callback "
        "(0: any free port; set it when the app registered an exact URL).",
        "instance": "Mastodon instance or Bluesky PDS URL (default: options.base_url).",
        "redirect_uri": "The exact redirect URI the app registered when it is not the "
        "loopback http://127.0.0.1:PORT/callback (e.g. an https page, as Meta apps may "
        "need): login then runs headless and you paste back the address you land on.",
        "exchange_url": "Threads, Instagram: override the URL that exchanges the short-lived "
        "token for a long-lived one (grant th_exchange_token / ig_exchange_token).",
        "refresh_url": "Threads, Instagram: override the URL that renews the long-lived "
        "token (grant th_refresh_token / ig_refresh_token).",
    },
    "SlotRule": {
        "days": 'Weekdays: "mon".."sun", ranges such as "mon-fri", "weekdays", "weekends" '
        'or "daily"; a string or a list.',
        "times": 'Local times such as "09:30" or "1pm"; a string or a list.',
    },
    "LintSettings": {
        "select": 'Rules to run: codes, code prefixes or names; "ALL" for every rule.',
        "ignore": "Rules never to run (wins over select).",
        "severity": "Rule code or name -> severity (error blocks publishing).",
        "options": "Rule code or name -> that rule's options (`soulpost explain RULE`).",
        "allow": "Words never reported (e.g. acronyms that are not shouting).",
        "packs": "Extra rule pack files, besides rules/*.toml.",
        "languages": (
            'Languages the posts are written in (ISO 639-1, e.g. ["de"]): one pins every '
            "post to it; several limit language detection to them; empty: detect among the "
            "shipped packs' languages (en, de, fr, es)."
        ),
        "fail_on": "`soulpost lint` exits 1 on findings at least this severe.",
        "cache": "Keep each draft's lint results between runs, in a cache outside the "
        "workspace ($SOULPOST_CACHE_DIR, else $XDG_CACHE_HOME/soulpost, else "
        "~/.cache/soulpost), so that only changed drafts are linted again. false: lint "
        "every draft every time (as `soulpost lint --no-cache`).",
    },
    "PublishSettings": {
        "require_approval": 'Publish only posts with status = "approved".',
        "max_lateness": "A post later than this past its time is missed, not sent. " + DURATION,
        "lint_gate": "Block a post that has lint errors.",
        "heartbeat": "How often the daemon records that it is alive. " + DURATION,
        "ledger": 'Where publications are recorded: "sqlite" (a file in state_dir) or '
        '"postgres" (one database shared by publishers on several hosts).',
        "ledger_url_env": "The name of the environment variable holding the PostgreSQL "
        "ledger's URL (the URL itself never goes in config: it can hold a password).",
        "lease": "How long a claim on the PostgreSQL ledger stays its publisher's without a "
        "heartbeat (renewed every third of it); a dead host's claims return after it. " + DURATION,
        "state_dir": "Folder for the ledger, locks and heartbeat (relative to the workspace).",
        "rescan": "How often the daemon looks for edited drafts. " + DURATION,
        "max_attempts": 'Passes a "not sent" publication may take before it fails.',
        "retry_delay": "First delay before a retry; it doubles, with jitter. " + DURATION,
    },
    "Post": {
        "id": "The post's id (default: the file name without .toml).",
        "text": "The post's text.",
        "platforms": "Where the post goes (default: default_platforms in config.toml).",
        "at": "When to publish: a local time in config's timezone or with an offset; "
        "absent = the next free slot.",
        "status": 'draft, or approved (publish needs "approved" when require_approval).',
        "tags": "Free-form tags.",
        "media": "Images or files attached, each with alt text.",
        "variants": "Per-platform overrides of text, media or thread.",
        "thread": "Follow-up parts posted as replies, in order.",
        "first_comment": "A comment the account posts under its own post right after it "
        "(LinkedIn, Facebook, Instagram), e.g. to hold the link.",
        "card": "Show the first link as a card (title, description, picture) where the "
        "platform supports one (Bluesky, LinkedIn); false: the link stays plain text.",
        "lint": "Per-post lint suppressions, with the reason.",
        "max_lateness": "Overrides [publish] max_lateness for this post. " + DURATION,
        "repeat": "Repeat the post from `at`: an RFC 5545 rule with an end, e.g. "
        '"FREQ=WEEKLY;BYDAY=MO;COUNT=52", in the workspace time zone; each occurrence is '
        "published on its own.",
        "evergreen": "Part of the evergreen pool: re-shared into [evergreen] slots, never "
        "at a time of its own.",
        "rotate": "Other wordings of an evergreen post, used in turn on each re-share.",
    },
    "PostLint": {
        "ignore": "Rule codes or names not reported for this post.",
        "reason": "Why: the reviewer reads it next to the suppression.",
    },
    "Media": {
        "path": "File path, relative to the workspace.",
        "alt": "Alt text: what the image shows, for people who cannot see it.",
    },
    "ThreadPart": {"text": "This part's text.", "media": "Media attached to this part."},
    "Variant": {
        "text": "This platform's text instead of the post's.",
        "media": "This platform's media instead of the post's.",
        "thread": "This platform's thread instead of the post's.",
        "first_comment": "This platform's first comment instead of the post's (\"\" for none).",
        "options": (
            "This platform's own settings for this post, checked by its adapter (Mastodon: "
            "spoiler_text, sensitive, language, visibility; see `soulpost adapters NAME`)."
        ),
    },
}

# Fields whose ``mode="before"`` validator also takes one string for the declared list.
SINGLE_OR_LIST = {("SlotRule", "days"), ("SlotRule", "times"), ("Post", "platforms")}
# Thread fields: each part may be written as a plain string.
THREADS = {("Post", "thread"), ("Variant", "thread")}
DAY_WORDS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "weekdays", "weekends", "daily"]


class _TomlSchema(GenerateJsonSchema):
    """Pydantic's generator, with the types as a TOML file writes them."""

    def timedelta_schema(self, schema: core_schema.TimedeltaSchema) -> JsonSchemaValue:
        return {"type": ["string", "number"], "examples": ["2h", "30m"]}

    def time_schema(self, schema: core_schema.TimeSchema) -> JsonSchemaValue:
        # "09:30" or "1pm" as strings, or a TOML local time (a string to JSON Schema tools).
        return {"type": "string", "examples": ["09:30", "13:00"]}

    def datetime_schema(self, schema: core_schema.DatetimeSchema) -> JsonSchemaValue:
        # A TOML offset or local date-time: local ones have no offset, so no "date-time".
        return {"type": "string", "examples": ["2026-12-01T09:30:00"]}

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])  # TOML has no null: leave the key out

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False  # "Max Lateness" says nothing the key does not

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, timedelta):
            return format_duration(dft)
        return super().encode_default(dft)


def _models(schema: dict[str, Any], root: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Each model's object schema by model name: the root and every ``$defs`` entry."""
    found = {root.__name__: schema}
    found.update(schema.get("$defs", {}))
    return found


def _platform_name(known: str) -> dict[str, Any]:
    return {
        "anyOf": [
            {"enum": sorted(PLATFORMS)},
            {"type": "string", "pattern": PLATFORM_NAME.pattern},
        ],
        "description": f"{known}: {', '.join(sorted(PLATFORMS))}, or one configured "
        "under [platforms] in config.toml.",
    }


def _rule_token(registry: Registry, *, everything: bool) -> dict[str, Any]:
    """A rule code, name or prefix (or ALL, where *everything* may be named); the built-in
    rules listed with their summary and lesson, for completion and hover."""
    choices: list[dict[str, Any]] = []
    if everything:
        choices.append({"const": "ALL", "description": "every rule"})
    for spec in registry.specs:
        about = f"{spec.summary} Lesson: {spec.lesson}. Severity: {spec.severity}."
        choices.append({"const": spec.code, "description": f"{spec.name}: {about}"})
        choices.append({"const": spec.name, "description": f"{spec.code}: {about}"})
    choices.append(
        {
            "type": "string",
            "pattern": f"{CODE.pattern}|{PREFIX.pattern}|{NAME.pattern}",
            "description": "a code prefix (SP1), or a rule from a workspace pack or plugin",
        }
    )
    lessons = "; ".join(f"{name}: {text}" for name, text in LESSONS.items())
    return {"anyOf": choices, "description": f"A rule code, prefix or name. Lessons: {lessons}"}


def _describe(models: dict[str, dict[str, Any]]) -> None:
    for model, fields in DESCRIPTIONS.items():
        if model not in models:
            continue
        props = models[model]["properties"]
        for name, text in fields.items():
            props[name].setdefault("description", text)


def _widen(models: dict[str, dict[str, Any]]) -> None:
    for model, name in SINGLE_OR_LIST:
        if model not in models:
            continue
        prop = models[model]["properties"][name]
        array = {k: prop.pop(k) for k in ("type", "items") if k in prop}
        prop["anyOf"] = [array["items"], array]
    for model, name in THREADS:
        if model not in models:
            continue
        prop = models[model]["properties"][name]
        prop["items"] = {"anyOf": [{"type": "string"}, prop["items"]]}


def _tidy(node: Any) -> None:
    """Docstrings use ``reST`` literals where editors show Markdown; TOML has no null."""
    if isinstance(node, dict):
        text = node.get("description")
        if isinstance(text, str):
            node["description"] = text.replace("``", "`")
        if "default" in node and node["default"] is None:
            del node["default"]
        for value in node.values():
            _tidy(value)
    elif isinstance(node, list):
        for value in node:
            _tidy(value)


def _generate(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = model.model_json_schema(schema_generator=_TomlSchema, mode="validation")
    return {"$schema": DRAFT, **schema, "title": title}


def config_schema(registry: Registry | None = None) -> dict[str, Any]:
    """The schema of ``config.toml`` (built-in rules and shipped packs listed as values)."""
    registry = registry or load_registry(None, plugins=False)
    schema = _generate(Settings, "soulpost config.toml")
    models = _models(schema, Settings)
    _describe(models)
    _widen(models)
    settings, lint = models["Settings"]["properties"], models["LintSettings"]
    settings["default_platforms"]["items"] = _platform_name("A platform")
    settings["platforms"]["propertyNames"] = _platform_name("The platform's name")
    schema["$defs"]["RuleToken"] = _rule_token(registry, everything=True)
    token = {"$ref": "#/$defs/RuleToken"}
    for key in ("select", "ignore"):
        lint["properties"][key]["items"] = token
    for key in ("severity", "options"):
        lint["properties"][key]["propertyNames"] = token
    models["SlotRule"]["properties"]["days"]["anyOf"][0]["examples"] = DAY_WORDS
    _tidy(schema)
    return schema


def post_schema(registry: Registry | None = None) -> dict[str, Any]:
    """The schema of a post file in ``queue/``."""
    registry = registry or load_registry(None, plugins=False)
    schema = _generate(Post, "soulpost post")
    models = _models(schema, Post)
    _describe(models)
    _widen(models)
    post = models["Post"]
    post["required"] = [key for key in post["required"] if key != "id"]  # id: the file name
    post["properties"]["id"]["pattern"] = POST_ID.pattern
    platforms = post["properties"]["platforms"]["anyOf"]
    platforms[0] = platforms[1]["items"] = _platform_name("A platform")
    post["properties"]["variants"]["propertyNames"] = _platform_name("A platform")
    # No ALL here: lint refuses to switch itself off for a post.
    schema["$defs"]["RuleToken"] = _rule_token(registry, everything=False)
    models["PostLint"]["properties"]["ignore"]["items"] = {"$ref": "#/$defs/RuleToken"}
    _tidy(schema)
    return schema


def schema(name: str) -> dict[str, Any]:
    """The schema called *name* (``config`` or ``post``)."""
    return {"config": config_schema, "post": post_schema}[name]()


def schema_text(name: str) -> str:
    """The schema as the committed file holds it: indented JSON and a final newline."""
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


# What `soulpost init` writes as .taplo.toml, and what this repository's own .taplo.toml
# says: Taplo (the CLI, and editors built on it such as Even Better TOML) then validates and
# completes config.toml and every draft. Paths are relative to this file.
TAPLO_CONFIG = """\
# Taplo / Even Better TOML: validate and complete soulpost files from their JSON Schema.
# Refresh the schemas after upgrading soulpost:
#   soulpost schema config > schemas/config.schema.json
#   soulpost schema post > schemas/post.schema.json
[[rule]]
include = ["config.toml"]

[rule.schema]
path = "./schemas/config.schema.json"

[[rule]]
include = ["queue/**/*.toml"]

[rule.schema]
path = "./schemas/post.schema.json"
"""
