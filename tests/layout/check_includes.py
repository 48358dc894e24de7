#!/usr/bin/env python3
"""Checks the include directions between the rooms of the source tree (docs/architecture.md).

  collectors/core/      includes nothing from host/, checks/, collectors/registry.h or agent/
  collectors/host/      includes only core/ (and host/ itself)
  collectors/checks/    includes only core/ (and checks/ itself)
  collectors/registry.* may include core/ and host/ (it is the one table of host collectors)
  collectors/**         never includes agent/
  agent/web/            includes core/, web/ and agent/logging.h only (the server knows nothing of the
                        scrape, the checks or the configuration)

Every #include "..." under agent/ and collectors/ must name a file from the source root, so the
rule is read off the text alone. Prints one line per violation and exits 1 if there is any.
"""
import re
import sys

from source_tree import run, source_files

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)

# (room of the including file, rooms it may include). Longest prefix wins.
RULES = [
    ("collectors/core/", ["collectors/core/"]),
    ("collectors/host/", ["collectors/core/", "collectors/host/"]),
    ("collectors/checks/", ["collectors/core/", "collectors/checks/"]),
    ("collectors/registry", ["collectors/core/", "collectors/host/", "collectors/registry"]),
    ("agent/web/", ["collectors/core/", "agent/web/", "agent/logging.h"]),
    ("agent/", ["collectors/", "agent/"]),
]
# Generated at configure time into the build tree; not a room.
GENERATED = {"agent/build_info.h", "agent/remote_write/remote.pb.h"}  # configure_file, protoc


def room_of(path):
    for prefix, allowed in RULES:
        if path.startswith(prefix):
            return prefix, allowed
    return None, None


def violations(root):
    found = []
    for path, rel in source_files(root):
        prefix, allowed = room_of(rel)
        if prefix is None:
            found.append(f"{rel}: not in any room (core/, host/, checks/, registry, agent/, agent/web/)")
            continue
        text = path.read_text(encoding="utf-8")
        for m in INCLUDE.finditer(text):
            target = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            if target not in GENERATED and not (root / target).is_file():
                found.append(f"{rel}:{line}: #include \"{target}\" does not name a file from the source root")
                continue
            if not any(target.startswith(a) or target == a for a in allowed):
                found.append(f"{rel}:{line}: {prefix} may not include {target} "
                             f"(allowed: {', '.join(allowed)})")
    return found



if __name__ == "__main__":
    sys.exit(run("include directions", violations))
