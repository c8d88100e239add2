"""The command reference (docs/commands.md), rendered from the parser itself so it cannot rot:
`python -m stagecore.cli.reference > docs/commands.md` (`make docs`); tests/test_reference.py
fails when the file differs. Rendered from the parser's actions rather than argparse's help
text, whose layout changes between Python versions."""

from __future__ import annotations

import argparse

HEADER = """# stagecore command reference

Generated from stagecore's own parser by `make docs` (`python -m stagecore.cli.reference`);
a test fails when this file and the parser disagree. `stagecore COMMAND -h` prints the same.
Every command also takes `-q` (print only errors) and `-v` (tracebacks for unexpected errors).
"""


def render(parser: argparse.ArgumentParser) -> str:
    parts = [HEADER]
    for name, child in _children(parser):
        _command(parts, f"stagecore {name}", child)
    return "\n".join(parts)


def _children(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:  # the names with help, in the order registered
                found.append((choice.dest, action.choices[choice.dest]))
    return sorted(found)


def _command(parts: list[str], prog: str, parser: argparse.ArgumentParser) -> None:
    parts.append(f"## {prog}\n")
    if parser.description:
        parts.append(" ".join(parser.description.split()) + "\n")
    rows = [_row(action) for action in parser._actions if _shown(action)]
    if rows:
        parts.append("| argument | meaning |\n| --- | --- |")
        parts.append("\n".join(rows) + "\n")
    if parser.epilog:
        parts.append("```\n" + parser.epilog.strip() + "\n```\n")
    for name, child in _children(parser):
        _command(parts, f"{prog} {name}", child)


def _shown(action: argparse.Action) -> bool:
    if action.help == argparse.SUPPRESS or isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
        return False
    return not (set(action.option_strings) & {"-q", "--quiet", "-v", "--verbose"})


def _row(action: argparse.Action) -> str:
    if action.option_strings:
        takes = action.nargs != 0
        value = f" {_metavar(action)}" if takes else ""
        name = ", ".join(f"`{opt}{value}`" for opt in action.option_strings)
    else:
        name = f"`{_metavar(action)}`" + ("..." if action.nargs in ("*", "+", argparse.REMAINDER) else "")
    text = " ".join((action.help or "").split())
    if "%(" in text:
        text = text % {**vars(action), "default": action.default}
    if action.choices and not isinstance(action.choices, dict):
        text += f" (one of: {', '.join(map(str, action.choices))})"
    escaped = text.replace("|", "\\|")
    return f"| {name} | {escaped} |"


def _metavar(action: argparse.Action) -> str:
    if isinstance(action.metavar, str):
        return action.metavar
    if isinstance(action.metavar, tuple):
        return " ".join(action.metavar)
    return action.dest.upper() if action.option_strings else action.dest


def main() -> None:
    import sys

    from stagecore.cli import build_parser

    sys.stdout.write(render(build_parser()))


if __name__ == "__main__":
    main()
