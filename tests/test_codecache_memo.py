"""Answers of the rule kinds' gate functions kept between runs (codecache.remembered).

What is checked: a second run answers from the file without calling the function; an
edited module (another modification time or size) is called again; without the command
line's install the function simply runs; and the real lint keeps the gates it worked
out, equal to what the functions give when asked afresh.
"""

from __future__ import annotations

import marshal
import os
import textwrap
from pathlib import Path

from soulpost import codecache
from soulpost.lint.kinds import firstchars, gatewords, literals, wordgates
from tests.test_codecache import env_for, kept_files, run_lint, run_script, workspace

# A module of its own in tmp_path, whose function counts its calls on stdout.
MODULE = textwrap.dedent(
    """
    from soulpost.codecache import remembered

    @remembered()
    def shout(text):
        print("called", text)
        return (frozenset([text.upper()]), None)
    """
)

PROBE = textwrap.dedent(
    """
    import sys
    from soulpost import codecache

    codecache.install("probe")
    import gatesmod

    for text in sys.argv[1:]:
        print(gatesmod.shout(text))
    codecache.save()
    """
)


def probe(tmp_path: Path, *texts: str) -> list[str]:
    return run_script(tmp_path, PROBE, *texts, env={"PYTHONPATH": str(tmp_path)}).splitlines()


def test_a_second_run_answers_from_the_file_and_an_edited_module_is_asked_again(
    tmp_path: Path,
) -> None:
    module = tmp_path / "gatesmod.py"
    module.write_text(MODULE, encoding="utf-8")
    answer = "(frozenset({'AB'}), None)"
    assert probe(tmp_path, "ab", "ab") == ["called ab", answer, answer]  # once per process
    assert probe(tmp_path, "ab") == [answer]  # kept: not called at all
    module.write_text(MODULE + "# edited\n", encoding="utf-8")
    assert probe(tmp_path, "ab") == ["called ab", answer]  # another size: asked again
    stat = module.stat()
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert probe(tmp_path, "ab") == ["called ab", answer]  # another time: asked again
    assert probe(tmp_path, "ab") == [answer]


def test_without_the_command_lines_install_the_function_just_runs() -> None:
    calls: list[str] = []

    @codecache.remembered()
    def echo(text: str) -> str:
        calls.append(text)
        return text

    assert (echo("a"), echo("a")) == ("a", "a")
    assert calls == ["a", "a"]


def test_the_lint_keeps_the_gates_it_worked_out_and_they_are_the_functions_answers(
    tmp_path: Path,
) -> None:
    root, prefix = workspace(tmp_path), tmp_path / "pyc"
    first = run_lint(root, env_for(prefix))
    _version, codes = marshal.loads(kept_files(prefix)[0].read_bytes())
    functions = {
        "soulpost.lint.kinds.literals.gate_of": literals.gate_of,
        "soulpost.lint.kinds.wordgates.word_gate": wordgates.word_gate,
        "soulpost.lint.kinds.gatewords.pattern_words": gatewords.pattern_words,
        "soulpost.lint.kinds.firstchars.first_class": firstchars.first_class,
        "soulpost.lint.kinds.firstchars.needs_non_ascii": firstchars.needs_non_ascii,
    }
    seen = set()
    for kind, answers in codes.items():
        if not kind.startswith("memo "):
            continue
        name = kind.split()[1]
        seen.add(name)
        for text, (answer,) in answers.items():
            assert functions[name](text) == answer, (name, text)
    assert seen == set(functions)  # this draft's lint asks each of them
    second = run_lint(root, env_for(prefix))
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
