"""Rule documentation generated from the rules themselves: `explain`, `rules`, docs/rules.md.

The text comes from each rule's metadata (summary, why, examples, options), so the docs
cannot drift from the code; a test regenerates ``docs/rules.md`` and fails when it is stale.
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING

from soulpost.lint.model import LESSONS

if TYPE_CHECKING:
    from soulpost.lint.model import RuleInfo
    from soulpost.lint.registry import Registry
    from soulpost.lint.rule import RuleSpec

CONFIGURING = """
## Configuring

```toml
# config.toml
[lint]
select = ["ALL"]              # codes (SP101), prefixes (SP1) or names (shouting)
ignore = ["we-not-you"]       # the more specific entry wins; on a tie, ignore wins
allow = ["NASA", "SOULPOST"]  # words never taken for shouting
fail_on = "error"             # or "warning", "info": what makes `soulpost lint` exit 1
packs = ["team/rules.toml"]   # packs beyond rules/*.toml
languages = ["de"]            # pin every post to German (several: detect among them)

[lint.severity]
shouting = "error"

[lint.options.promo-share]
max_share = 0.25
window = "14d"
```

In a post, `[lint] ignore = ["shouting"]` (with an optional `reason`) silences rules for that
post; `soulpost lint --show-unused-suppressions` reports entries that no longer hide anything.
An unknown rule code or name anywhere is an error, with the closest match suggested.

## Languages

Rules that judge words come in language packs: `rules/article.toml` (English, and the rules
that do not depend on language), `rules/de.toml`, `rules/fr.toml` and `rules/es.toml`, with
the same lessons written the way people post in each language. A pack rule judges only
posts in its languages. A post's language is told by its function words (``the``, ``und``,
``vous``, ``los``), and by py3langid's model when they do not settle it and a pack rule has
found something; a post in a language without a pack gets only the rules that do not
depend on language (capitals, punctuation, counts, emoji votes, queue rules). A post whose
language nothing tells (a few words with no function word, or emoji only) is judged by
every pack; when the same rule of several packs finds something there (`empty-hype`,
`empty-hype-de`, `empty-hype-fr`: one name but for the language), it is reported once, by
the pack whose word list knows the post's words best. Shouting is
decided with wordfreq's word lists: an ordinary word of the post's language in capitals
shouts; an acronym or a name does not, nor do quotes, code and links.

### Adding a language pack

1. Write `rules/xx.toml` with `[pack] languages = ["xx"]` and one rule per lesson you
   cover, each with its own code (the English rule's code with a free second digit:
   SP201 engagement-bait is SP221 in German) and `bad`/`good` examples in that language
   (the suite runs them, with the language pinned). Name it after the English rule plus
   `-xx` (`engagement-bait-xx`), so that it and its siblings speak once on a post whose
   language is unknown.
2. Write constructions, not phrase lists: an instruction to the reader plus a condition,
   a reward or a count; `skip_quoted = true` so quoted and reported bait stays quiet;
   `unless` for the facts (a date, a time, a reason) that turn urgency into information.
   Patterns are gated by the words they begin with; declare a gate with a leading
   `(?#words: a b)` comment when those words are common.
3. Add the language's function words to `soulpost/text/language.py`, its promotion
   signals to the `promo-share` rule's `signals`, and posts to `corpus/judgment` (dev
   part, then `python corpus/judgment/resplit.py`).
4. In your own workspace, a pack in `rules/*.toml` with `languages` works the same way.

## How judgment is measured

`bench/judgment.py` lints the hand-labelled judgment corpus (`corpus/judgment/`: posts in
English, German, French and Spanish, clean ones that look risky and flawed ones that look
innocent) and prints precision and recall per rule, per lesson and per language, and the
share of clean posts with a false alarm, for the development part and the held-out part.
Rules are tuned on the development part only; `tests/test_judgment_floors.py` fails when
the held-out figures drop below their floors. bench/README.md has the figures.

Text nobody on the project wrote is measured outside the repository, because its licence
or its size keeps it out: `bench/headlines.py FILE` lints every line of a file (real
news headlines, news-outlet posts, tweets) as a clean post and prints the share that gets
any soul warning, per rule, and with `--show` the lines, for rule work. On 16,000 news
headlines the target is at most 0.5 %; bench/README.md says which sets were used, where
they came from, and the figures. A false alarm found there is fixed by a rule that
generalises (a name next to a word in capitals, a sum in millions, a section label such
as `OPINIÓN |`), with a test that says so, never by listing the headline.

Posts written and labelled by people who never saw the rules are the measure that
counts: each writer's set is kept outside the repository, in the corpus's format, and
`bench/judgment.py --file SET.jsonl` scores it by the same steps (recall over (post,
lesson) pairs, flawed posts caught with a right lesson, false alarms on clean posts).
Rules may be tuned on some writers' sets; the figures that are quoted come from writers
whose sets no rule work has seen.

Facebook's published engagement-bait examples are checked as published, in lower case,
in Title Case and in capitals (`tests/test_judgment_facebook.py`).
"""

LESSON_TITLES = {
    "listen": "listen: relationships, not yelling",
    "relate": "relate: business with soul",
    "useful": "useful: worth following",
    "give": "give: share, don't only sell",
    "experiment": "experiment: a work in progress",
    "platform": "platform: hard limits of each network",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def explain(spec: RuleSpec, info: RuleInfo, registry: Registry | None = None) -> str:
    """What `soulpost explain` prints: what, why, a bad and a good example, options."""
    from soulpost.lint.examples import run_example

    wrap = textwrap.TextWrapper(width=88)
    out = [
        f"{info.code} {info.name}",
        f"severity: {info.severity}    lesson: {info.lesson}    scope: {info.scope}    "
        f"from: {info.origin}",
        "languages: " + (", ".join(info.languages) if info.languages else "any"),
        "",
        wrap.fill(info.summary),
        "",
        f"Why ({info.lesson}):",
        textwrap.indent(wrap.fill(LESSONS.get(info.lesson, "")), "  "),
    ]
    if info.why:
        out.append(textwrap.indent(wrap.fill(info.why), "  "))
    for title, examples in (("Bad", info.bad), ("Good", info.good)):
        if not examples:
            continue
        out += ["", f"{title}:"]
        for example in examples:
            out.append(textwrap.indent(example.strip("\n"), "    "))
            report = run_example(spec, example, registry=registry)
            said = [f for f in report.findings if f.code == info.code]
            if said:
                out.append(f"    -> {said[0].message}")
            else:
                out.append("    -> (no finding)")
    out += ["", "Options:" if info.options else "Options: none"]
    for key, value in info.options.items():
        shown = _value(value)
        if len(shown) > 70:
            shown = shown[:66] + " ..."
        doc = info.option_docs.get(key, "")
        out.append(f"  {key} = {shown}")
        if doc:
            out.append(f"      {doc}")
    out += [
        "",
        f"Configure: [lint.options.{info.name}] in config.toml; silence one post with "
        f'[lint] ignore = ["{info.name}"].',
    ]
    return "\n".join(out) + "\n"


def rules_markdown(registry: Registry) -> str:
    """``docs/rules.md``: every rule of the registry, grouped by lesson."""
    lines = [
        "# Lint rules",
        "",
        "<!-- Generated by `soulpost rules --format markdown --builtin`; do not edit. -->",
        "",
        "Every rule has a stable code, a kebab-case name, a severity (`error` blocks",
        "publishing; `warning` and `info` report) and a lesson. `soulpost explain CODE`",
        "shows the same text and runs the examples.",
        "",
        "| code | name | severity | lesson | languages | summary |",
        "|---|---|---|---|---|---|",
    ]
    for spec in registry.specs:
        languages = ", ".join(spec.languages) if spec.languages else "any"
        lines.append(
            f"| {spec.code} | `{spec.name}` | {spec.severity} | {spec.lesson} | {languages} | "
            f"{_cell(spec.summary)} |"
        )
    for lesson in LESSONS:
        specs = [s for s in registry.specs if s.lesson == lesson]
        if not specs:
            continue
        lines += ["", f"## {LESSON_TITLES.get(lesson, lesson)}", "", LESSONS[lesson]]
        for spec in specs:
            info = spec.info()
            lines += ["", f"### {spec.code} `{spec.name}`", ""]
            languages = ", ".join(spec.languages) if spec.languages else "any language"
            lines.append(
                f"*{spec.severity}*, {spec.scope} rule"
                + ("" if spec.default_enabled else ", off unless selected")
                + f" ({spec.origin}; {languages}). {spec.summary}"
            )
            if spec.why:
                lines += ["", spec.why]
            for title, examples in (("Bad", spec.bad), ("Good", spec.good)):
                for example in examples:
                    lines += ["", f"{title}:", "", "```toml" if "\n" in example else "```"]
                    lines += [example.strip("\n"), "```"]
            if info.options:
                lines += ["", "| option | default | meaning |", "|---|---|---|"]
                for key, value in info.options.items():
                    shown = _value(value)
                    if len(shown) > 60:
                        shown = shown[:56] + " ..."
                    doc = info.option_docs.get(key, "")
                    lines.append(f"| `{key}` | `{_cell(shown)}` | {doc} |")
    lines += ["", CONFIGURING.rstrip()]
    return "\n".join(lines) + "\n"
