#!/usr/bin/env python3
"""The analyst-facing commands of the real binary: `rules check`, `rules test` and
`filter` on the shipped default ruleset, and on deliberately broken copies of it."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = sys.argv[1] if len(sys.argv) > 1 else "pixelwarden"
SRC = sys.argv[2] if len(sys.argv) > 2 else os.getcwd()
RULES = os.path.join(SRC, "rules")


def run(*args, stdin=None):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=120)


class BrokenCopy:
    """A copy of rules/ in a temp dir whose default.yaml can be edited."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="pw-rules-")
        shutil.copytree(RULES, self.dir, dirs_exist_ok=True)
        self.entry = os.path.join(self.dir, "default.yaml")
        with open(self.entry, encoding="utf-8") as f:
            self.text = f.read()
        return self

    def replace(self, old, new):
        assert old in self.text, old
        self.text = self.text.replace(old, new, 1)
        with open(self.entry, "w", encoding="utf-8") as f:
            f.write(self.text)

    def line_of(self, needle):
        return self.text[: self.text.index(needle)].count("\n") + 1

    def __exit__(self, *exc):
        shutil.rmtree(self.dir)


class RulesCommands(unittest.TestCase):
    def test_default_ruleset_checks(self):
        r = run("rules", "check", os.path.join(RULES, "default.yaml"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(b": ok: pixelwarden-default", r.stdout)

    def test_default_ruleset_tests_pass(self):
        r = run("rules", "test", os.path.join(RULES, "default.yaml"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        last = r.stdout.decode().strip().splitlines()[-1]
        self.assertRegex(last, r"^[1-9][0-9]* passed, 0 failed$")

    def test_broken_copy_reports_every_error_with_position(self):
        with BrokenCopy() as b:
            b.replace("    action: neutralize\n", "    action: neutralise\n")
            bad_action = b.line_of("neutralise")
            b.replace("  - id: news-lookalikes\n", "  - id: news-lookalikes\n    matchh: {}\n")
            bad_key = b.line_of("matchh")
            r = run("rules", "check", b.entry)
            out = r.stdout.decode()
            self.assertEqual(r.returncode, 1, out)
            self.assertRegex(out, rf"{b.entry}:{bad_action}:\d+: .*neutralise")
            self.assertRegex(out, rf"{b.entry}:{bad_key}:5: .*matchh")

    def test_broken_expectation_fails_rules_test(self):
        with BrokenCopy() as b:
            b.replace("      trackers: 3\n", "      trackers: 4\n")
            r = run("rules", "test", b.entry)
            out = r.stdout.decode()
            self.assertEqual(r.returncode, 1, out)
            self.assertIn("trackers: expected 4, got 3", out)
            self.assertRegex(out.strip().splitlines()[-1], r"^[0-9]+ passed, 1 failed$")

    def test_lure_entry_equal_to_a_protected_domain_warns_and_strict_refuses(self):
        with BrokenCopy() as b:
            lures = os.path.join(b.dir, "lists", "lure-domains.txt")
            with open(lures, encoding="utf-8") as f:
                lines = f.read().splitlines()
            lines.append("bbc.co.uk   # a campaign used a BBC link")
            with open(lures, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            r = run("rules", "check", b.entry)
            out = r.stdout.decode()
            self.assertEqual(r.returncode, 0, out)
            self.assertRegex(out, rf"{lures}:{len(lines)}:1: lure entry 'bbc.co.uk' .*equals protected "
                                  rf"brand domain 'bbc.co.uk' .*\(warning\)")
            r = run("rules", "check", "--strict", b.entry)
            out = r.stdout.decode()
            self.assertEqual(r.returncode, 1, out)
            self.assertRegex(out, rf"{lures}:{len(lines)}:1: lure entry 'bbc.co.uk' .*\(warning; strict\)")
            self.assertEqual(run("rules", "test", "--strict", b.entry).returncode, 2)

    def test_syntax_error_is_reported_with_position(self):
        with BrokenCopy() as b:
            b.replace("mode: enforce\n", "mode: [enforce\n")
            r = run("rules", "check", b.entry)
            self.assertEqual(r.returncode, 1)
            self.assertRegex(r.stdout.decode(), rf"{b.entry}:\d+:\d+: ")


class Help(unittest.TestCase):
    def test_every_subcommand_answers_help_on_stdout(self):
        for cmd in (["run"], ["filter"], ["rules"], ["rules", "check"], ["rules", "test"],
                    ["scan"], ["version"], ["help"]):
            r = run(*cmd, "--help") if cmd != ["help"] else run("help")
            self.assertEqual(r.returncode, 0, (cmd, r.stderr))
            self.assertIn(b"usage", r.stdout, cmd)
            self.assertEqual(r.stderr, b"", cmd)

    def test_rules_check_without_path_checks_the_configured_ruleset(self):
        d = tempfile.mkdtemp(prefix="pw-cfg-")
        try:
            cfg = os.path.join(d, "pw.yaml")
            with open(cfg, "w", encoding="utf-8") as f:
                f.write(f"rules:\n  path: {os.path.join(RULES, 'default.yaml')}\n")
            r = run("rules", "check", "--config", cfg)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn(os.path.join(RULES, "default.yaml").encode() + b": ok:", r.stdout)
            with open(cfg, "w", encoding="utf-8") as f:
                f.write(f"rules:\n  path: {os.path.join(d, 'none.yaml')}\n")
            self.assertEqual(run("rules", "check", "--config", cfg).returncode, 1)
        finally:
            shutil.rmtree(d)


class FilterCommand(unittest.TestCase):
    def test_newsletter_is_rewritten_and_verdict_written(self):
        sample = os.path.join(RULES, "samples", "newsletter.eml")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.eml")
            r = run("filter", "--rules", os.path.join(RULES, "default.yaml"),
                    "--mail-from", "news@shop.example", "--rcpt", "alice@corp.example",
                    "-o", out, "--verdict", "-", sample)
            self.assertEqual(r.returncode, 0, r.stderr)
            verdict = json.loads(r.stdout)
            self.assertEqual(verdict["action"], "accept")
            self.assertTrue(verdict["modified"])
            self.assertEqual(len(verdict["trackers"]), 3)
            with open(out, "rb") as f:
                delivered = f.read()
            self.assertNotIn(b"ct.sendgrid.net", delivered)
            self.assertIn(b"X-Pixelwarden: action=accept;", delivered)

    def test_stdin_to_stdout_with_verdict_on_stderr(self):
        msg = b"From: a@b.example\r\nSubject: hi\r\n\r\nplain\r\n"
        r = run("filter", "--rules", os.path.join(RULES, "default.yaml"), stdin=msg)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, msg)
        self.assertEqual(json.loads(r.stderr)["decision"], "none")

    def test_lure_gives_empty_output(self):
        sample = os.path.join(RULES, "samples", "lure.eml")
        r = run("filter", "--rules", os.path.join(RULES, "default.yaml"), sample)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"")
        self.assertEqual(json.loads(r.stderr)["action"], "reject")

    def test_usage_and_unreadable_input(self):
        self.assertEqual(run("filter", "--bogus").returncode, 2)
        self.assertEqual(run("filter", "--rules", os.path.join(RULES, "default.yaml"),
                             "/nonexistent/message.eml").returncode, 1)
        self.assertEqual(run("filter", "--rules", "/nonexistent/rules.yaml",
                             stdin=b"x\r\n\r\n").returncode, 1)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
