#!/usr/bin/env python3
"""Write servokit's single header from its include tree.

    python3 tools/amalgamate.py            # (re)write single_include/servokit/servokit.hpp
    python3 tools/amalgamate.py --check    # exit 1 if the committed file is out of date

Starting from the umbrella include/servokit/servokit.hpp, every servokit header it reaches
(`#include <servokit/...>`, or a quoted include that resolves to a file under include/servokit)
is inlined exactly once, where it is first included, so each header appears after everything it
depends on. Each inlined header loses its `#pragma once`; the output has one of its own.
Every other include is kept as written, and a repeat of one that is already unconditionally
included is dropped.

Preprocessor conditionals are respected: an external include that first appears inside an
`#if` block is not taken as "already included" for later occurrences, and a servokit header
whose first inclusion is conditional but which is included again later is reported as an error
(inlining it once could not keep both meanings).

The output depends only on the input files, so regenerating it is reproducible byte for byte.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

TOOL = "tools/amalgamate.py"
UMBRELLA = Path("include/servokit/servokit.hpp")
OUTPUT = Path("single_include/servokit/servokit.hpp")

INCLUDE = re.compile(r'^\s*#\s*include\s*(?P<open>[<"])(?P<name>[^>"]+)[>"]')
PRAGMA_ONCE = re.compile(r"^\s*#\s*pragma\s+once\b")
CONDITIONAL_OPEN = re.compile(r"^\s*#\s*if(n?def)?\b")
CONDITIONAL_CLOSE = re.compile(r"^\s*#\s*endif\b")
PROJECT_VERSION = re.compile(r"project\s*\(\s*servokit\b[^)]*?\bVERSION\s+([0-9][0-9.]*)", re.S)


class AmalgamateError(Exception):
    """A problem in the input tree that makes a correct single header impossible."""


@dataclass
class LexState:
    """Where a line of C++ starts: in code, in a block comment, or in a raw string literal.

    Only lines that start in code can be preprocessor directives; tracking this keeps an
    `#include` written inside a comment or a raw string from being taken for a real one.
    """

    mode: str = "code"  # "code" | "comment" | "raw"
    raw_end: str = ""  # for "raw": the text that closes the literal, e.g. `)json"`

    def advance(self, line: str) -> None:
        """Move the state past one line."""
        i, n = 0, len(line)
        while i < n:
            if self.mode == "comment":
                end = line.find("*/", i)
                if end < 0:
                    return
                self.mode, i = "code", end + 2
            elif self.mode == "raw":
                end = line.find(self.raw_end, i)
                if end < 0:
                    return
                self.mode, i = "code", end + len(self.raw_end)
            else:
                c = line[i]
                if line.startswith("//", i):
                    return
                if line.startswith("/*", i):
                    self.mode, i = "comment", i + 2
                elif c == "R" and i + 1 < n and line[i + 1] == '"' and not _in_identifier(line, i):
                    open_paren = line.find("(", i + 2)
                    if open_paren < 0:
                        return  # not a well-formed raw string; give up on this line
                    self.raw_end = ")" + line[i + 2 : open_paren] + '"'
                    self.mode, i = "raw", open_paren + 1
                elif c in "\"'":
                    i = _skip_quoted(line, i)
                else:
                    i += 1


def _in_identifier(line: str, i: int) -> bool:
    """True if the `R` at line[i] ends an identifier, so `R"` does not start a raw string.

    The encoding prefixes (`u8R"`, `uR"`, `UR"`, `LR"`) still start one.
    """
    start = i
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_"):
        start -= 1
    return line[start:i] not in ("", "u8", "u", "U", "L")


def _skip_quoted(line: str, i: int) -> int:
    """Index just past the string or character literal that starts at line[i]."""
    quote, i = line[i], i + 1
    while i < len(line):
        if line[i] == "\\":
            i += 2
        elif line[i] == quote:
            return i + 1
        else:
            i += 1
    return i


@dataclass
class Amalgamator:
    root: Path
    lines: list[str] = field(default_factory=list)
    # servokit header -> #if depth of the output at the point it was inlined (0: unconditional)
    inlined: dict[Path, int] = field(default_factory=dict)
    stack: list[Path] = field(default_factory=list)  # headers being inlined, outermost first
    external_seen: set[str] = field(default_factory=set)
    depth: int = 0  # #if nesting of the output so far

    @property
    def include_dir(self) -> Path:
        return self.root / "include"

    @property
    def servokit_dir(self) -> Path:
        return self.include_dir / "servokit"

    def display(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def resolve_servokit(
        self, including: Path, line_no: int, opener: str, name: str
    ) -> Path | None:
        """The servokit header an include names, or None for any other include."""
        candidates = [self.include_dir / name]
        if opener == '"':
            candidates.insert(0, including.parent / name)
        for candidate in candidates:
            if candidate.is_file():
                resolved = candidate.resolve()
                return resolved if resolved.is_relative_to(self.servokit_dir.resolve()) else None
        if opener == "<" and name.startswith("servokit/"):
            raise AmalgamateError(
                f"{self.display(including)}:{line_no}: includes <{name}>, which does not exist"
            )
        return None

    def inline(self, header: Path) -> None:
        """Append one servokit header to the output, inlining what it includes first."""
        self.stack.append(header)
        lex = LexState()
        text = header.read_text(encoding="utf-8")
        for line_no, raw_line in enumerate(text.splitlines(), start=1):
            line = raw_line.rstrip()
            if lex.mode == "code":
                self.directive_or_line(header, line_no, line)
            else:
                self.emit(line)
            lex.advance(line)
        self.stack.pop()

    def directive_or_line(self, header: Path, line_no: int, line: str) -> None:
        if PRAGMA_ONCE.match(line):
            return
        if CONDITIONAL_OPEN.match(line):
            self.depth += 1
        elif CONDITIONAL_CLOSE.match(line):
            self.depth -= 1
        elif match := INCLUDE.match(line):
            self.include(header, line_no, line, match["open"], match["name"])
            return
        self.emit(line)

    def include(self, header: Path, line_no: int, line: str, opener: str, name: str) -> None:
        target = self.resolve_servokit(header, line_no, opener, name)
        if target is None:
            # Not ours: keep it, unless the same include is already unconditionally in force.
            key = f"{opener}{name}"
            if key in self.external_seen:
                return
            if self.depth == 0:
                self.external_seen.add(key)
            self.emit(line)
            return

        where = f"{self.display(header)}:{line_no}"
        if target in self.stack:
            chain = " -> ".join(self.display(p) for p in [*self.stack, target])
            raise AmalgamateError(f"{where}: include cycle: {chain}")
        if target in self.inlined:
            if self.inlined[target] > 0:
                raise AmalgamateError(
                    f"{where}: {self.display(target)} is included again, but its first "
                    "inclusion is inside an #if block, so the single header cannot hold it "
                    "exactly once; include it unconditionally, or move the condition into it"
                )
            return

        self.inlined[target] = self.depth
        label = target.relative_to(self.include_dir).as_posix()
        self.emit(f"// ===== begin {label} =====")
        self.inline(target)
        self.emit(f"// ===== end {label} =====")

    def emit(self, line: str) -> None:
        # Stripping `#pragma once` and repeated includes leaves gaps: keep at most one blank line.
        if line == "" and (not self.lines or self.lines[-1] == ""):
            return
        self.lines.append(line)

    def run(self) -> str:
        umbrella = self.root / UMBRELLA
        if not umbrella.is_file():
            raise AmalgamateError(f"{UMBRELLA.as_posix()} does not exist under {self.root}")
        umbrella = umbrella.resolve()
        self.inlined[umbrella] = 0
        self.inline(umbrella)
        if self.depth != 0:
            raise AmalgamateError("unbalanced #if/#endif in the headers")
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return banner(self.root) + "\n".join(self.lines) + "\n"

    def unreachable(self) -> list[str]:
        """Headers under include/servokit that the umbrella never reaches."""
        every = {p.resolve() for p in self.servokit_dir.rglob("*") if p.suffix in (".hpp", ".h")}
        return sorted(self.display(p) for p in every - self.inlined.keys())


def banner(root: Path) -> str:
    version = ""
    cmake_lists = root / "CMakeLists.txt"
    if cmake_lists.is_file():
        if match := PROJECT_VERSION.search(cmake_lists.read_text(encoding="utf-8")):
            version = f" {match[1]}"
    return (
        f"// servokit{version}: single-header edition.\n"
        "//\n"
        f"// GENERATED FILE, DO NOT EDIT. Written by {TOOL} from {UMBRELLA.as_posix()}\n"
        "// and every servokit header it includes. Change those headers, then run\n"
        f"//     python3 {TOOL}\n"
        f"// and commit the result; `python3 {TOOL} --check` (run by CI) fails when it is stale.\n"
        "#pragma once\n"
        "\n"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="repository root (default: the one this script is in)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"file to write or check (default: <root>/{OUTPUT.as_posix()})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the output file differs from what would be generated",
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    output = args.output or root / OUTPUT

    amalgamator = Amalgamator(root)
    try:
        text = amalgamator.run()
    except (AmalgamateError, OSError, UnicodeDecodeError, ValueError) as error:
        print(f"amalgamate: error: {error}", file=sys.stderr)
        return 2

    for header in amalgamator.unreachable():
        print(
            f"amalgamate: warning: {header} is not reached from {UMBRELLA.as_posix()}, "
            "so it is not in the single header",
            file=sys.stderr,
        )

    current = output.read_text(encoding="utf-8") if output.is_file() else None
    shown = output.relative_to(root).as_posix() if output.is_relative_to(root) else str(output)

    if args.check:
        if current == text:
            print(f"amalgamate: {shown} is up to date")
            return 0
        if current is None:
            print(f"amalgamate: error: {shown} does not exist.", file=sys.stderr)
        else:
            diff = list(
                difflib.unified_diff(
                    current.splitlines(),
                    text.splitlines(),
                    f"{shown} (committed)",
                    f"{shown} (generated)",
                    lineterm="",
                )
            )
            limit = 60
            print("\n".join(diff[:limit]), file=sys.stderr)
            if len(diff) > limit:
                print(f"... ({len(diff) - limit} more diff lines)", file=sys.stderr)
            print(f"amalgamate: error: {shown} is out of date with include/.", file=sys.stderr)
        print(f"amalgamate: regenerate it with `python3 {TOOL}` and commit it.", file=sys.stderr)
        return 1

    if current == text:
        print(f"amalgamate: {shown} is already up to date")
    else:
        # Written only on a change, so builds that use the single header are not redone for nothing.
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8", newline="\n")
        print(f"amalgamate: wrote {shown} ({len(amalgamator.inlined)} headers)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
