"""The layout checks themselves: each finds what it is there to find in a small tree made here."""
import pathlib
import tempfile
import unittest

import check_includes
import check_sizes


def make_tree(test, files):
    tmp = tempfile.TemporaryDirectory(prefix="layout-")
    test.addCleanup(tmp.cleanup)
    root = pathlib.Path(tmp.name)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


class IncludeDirectionsTest(unittest.TestCase):
    def test_arrows_pointing_down_pass(self):
        root = make_tree(self, {
            "collectors/core/status.h": "#pragma once\n",
            "collectors/host/cpu.h": '#include "collectors/core/status.h"\n',
            "collectors/registry.h": '#include "collectors/host/cpu.h"\n',
            "agent/agent.cpp": '#include "collectors/registry.h"\n#include "agent/build_info.h"\n',
        })
        self.assertEqual(check_includes.violations(root), [])

    def test_arrows_pointing_up_or_sideways_fail(self):
        root = make_tree(self, {
            "collectors/core/status.h": '#include "collectors/registry.h"\n',
            "collectors/registry.h": "#pragma once\n",
            "collectors/host/cpu.h": '#include "collectors/checks/x.h"\n',
            "collectors/checks/x.h": '#include "agent/agent.h"\n',
            "agent/agent.h": "#pragma once\n",
            "agent/web/server.h": '#include "agent/agent.h"\n#include "status.h"\n',
        })
        found = "\n".join(check_includes.violations(root))
        self.assertIn("collectors/core/status.h:1: collectors/core/ may not include collectors/registry.h", found)
        self.assertIn("collectors/host/cpu.h:1: collectors/host/ may not include collectors/checks/x.h", found)
        self.assertIn("collectors/checks/x.h:1: collectors/checks/ may not include agent/agent.h", found)
        self.assertIn("agent/web/server.h:1: agent/web/ may not include agent/agent.h", found)
        self.assertIn('agent/web/server.h:2: #include "status.h" does not name a file from the source root', found)


class SizesTest(unittest.TestCase):
    def test_long_function_and_long_file_fail(self):
        body = "\n".join(["  x();"] * 81)
        root = make_tree(self, {
            "agent/long.cpp": "namespace a {\n\nvoid Long(int a,\n          int b) {\n" + body + "\n}\n\n}\n",
            "agent/big.h": "// x\n" * 501,
            "agent/fine.cpp": "struct S {\n" + body + "\n};\n\nint Short() {\n  return 1;\n}\n",
        })
        found = check_sizes.violations(root)
        self.assertEqual(found, ["agent/big.h: 501 lines (at most 500)",
                                 "agent/long.cpp:3: Long is 84 lines (at most 80)"])


if __name__ == "__main__":
    unittest.main()
