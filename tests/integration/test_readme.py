"""The README: its test command and .ci/run stay the same command, and it stays a page for users
(short, with what a user needs to start inline); the reference lives in docs/ (test_docs.py)."""
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

    def test_readme_is_short_and_starts_the_user(self):
        with open(os.path.join(SOURCE_DIR, "README.md")) as f:
            readme = f.read()
        self.assertLessEqual(len(readme.splitlines()), 250, "README.md is for users: move reference to docs/")
        yaml_blocks = re.findall(r"```yaml\n(.*?)\n```", readme, re.S)
        self.assertTrue(any("job_name: node" in b and "static_configs" in b for b in yaml_blocks))
        self.assertTrue(any("file_sd_configs" in b for b in yaml_blocks))
        self.assertTrue(any("rule_files" in b and "alerts.yml" in b for b in yaml_blocks))
        for needed in ("sudo apt install ./build/hostwatch_*.deb", "grafana-provisioning.yml", "docs/install.md",
                       "docs/runbooks.md", "docs/LICENSE", "bench/compare.py"):
            self.assertIn(needed, readme)


if __name__ == "__main__":
    unittest.main()
