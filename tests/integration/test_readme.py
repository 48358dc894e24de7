"""The README's test command and .ci/run must stay the same command."""
import os
import re
import unittest

from hostwatch_testutil import SOURCE_DIR


class ReadmeTest(unittest.TestCase):
    def test_ci_runs_the_readme_test_command_verbatim(self):
        with open(os.path.join(SOURCE_DIR, "README.md")) as f:
            readme = f.read()
        with open(os.path.join(SOURCE_DIR, ".ci", "run")) as f:
            ci_lines = [l for l in f.read().splitlines() if l.startswith("packaging/install-deps.sh")]
        blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
        test_commands = [b for b in blocks if "ctest" in b]
        self.assertEqual(len(test_commands), 1, "README must have exactly one test command block")
        self.assertEqual(ci_lines, [test_commands[0]])

    def test_readme_run_command_starts_the_built_binary(self):
        with open(os.path.join(SOURCE_DIR, "README.md")) as f:
            readme = f.read()
        run_commands = [b for b in re.findall(r"```sh\n(.*?)\n```", readme, re.S) if "./build/agent/hostwatch" in b]
        self.assertEqual(len(run_commands), 1)


if __name__ == "__main__":
    unittest.main()
