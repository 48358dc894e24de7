#!/usr/bin/env python3
"""Checks that no source file under agent/ and collectors/ is over 500 lines and no function over 80.

A function is counted from the line that opens its body at column 0 (how clang-format lays out a
namespace-level definition in this tree) to its closing brace at column 0; class bodies, namespaces
and enums are not functions. Exceptions are listed below with a one-line reason each.
Prints one line per violation and exits 1 if there is any.
"""
import re
import sys

from source_tree import run, source_files

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
# path -> reason. Keep this list short: each entry is a file someone decided not to split.
FILE_EXCEPTIONS = {}
FUNCTION_EXCEPTIONS = {
    "collectors/core/text_format.cpp:AppendGoFloat":
        "Go's strconv 'g' formatting, case by case, kept in one piece so it can be read against Go's",
}

NOT_A_FUNCTION = re.compile(r"^(namespace|class|struct|enum|union|extern|template\s*<[^>]*>\s*(class|struct))\b")
NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_:~]*)\s*\(")


def functions(lines):
    """Yields (name, first line, length) of every column-0 function body in lines."""
    start = None
    head = []
    for i, line in enumerate(lines):
        if start is None:
            at_column_0 = bool(line) and not line[0].isspace()
            if at_column_0 and not line.startswith(("//", "#", "}")):
                head.append(line)
            elif head and line.strip():
                head.append(line.strip())  # a declaration continued on the next lines
            elif not line.strip():
                head = []
            if line.rstrip().endswith("{") and head:
                text = " ".join(head)
                if not NOT_A_FUNCTION.match(text) and "(" in text and "=" not in text.split("(")[0]:
                    m = NAME.search(text)
                    start = (m.group(1) if m else "?", i + 1 - (len(head) - 1))
                head = []
            elif line.rstrip().endswith((";", "}")):
                head = []
        elif line.startswith("}"):
            yield start[0], start[1], i + 1 - start[1] + 1
            start = None


def violations(root):
    found = []
    for path, rel in source_files(root):
        lines = path.read_text(encoding="utf-8").split("\n")
        if len(lines) - 1 > MAX_FILE_LINES and rel not in FILE_EXCEPTIONS:
            found.append(f"{rel}: {len(lines) - 1} lines (at most {MAX_FILE_LINES})")
        for name, first, length in functions(lines):
            if length > MAX_FUNCTION_LINES and f"{rel}:{name}" not in FUNCTION_EXCEPTIONS:
                found.append(f"{rel}:{first}: {name} is {length} lines (at most {MAX_FUNCTION_LINES})")
    return found



if __name__ == "__main__":
    sys.exit(run("sizes", violations))
