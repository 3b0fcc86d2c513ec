"""`cmake --install` puts pactool, its man page and its bash completion in place, and both work."""
import os
import subprocess
import unittest

import wpadkit_testlib as lib


class InstallTest(unittest.TestCase):
    def test_install_man_and_completion(self):
        with lib.temp_dir() as prefix:
            p = lib.run(["cmake", "--install", lib.BUILD_DIR, "--prefix", prefix, "--component", "Unspecified"])
            self.assertEqual(p.returncode, 0, p.stderr)
            binary = os.path.join(prefix, "bin", "pactool")
            man = os.path.join(prefix, "share", "man", "man1", "pactool.1")
            completion = os.path.join(prefix, "share", "bash-completion", "completions", "pactool")
            for path in (binary, man, completion):
                self.assertTrue(os.path.exists(path), path)
            self.assertEqual(lib.run([binary, "--version"]).returncode, 0)
            with open(man) as f:
                text = f.read()
            for sub in ["eval", "expr", "test", "lint", "diff", "explain", "coverage", "fetch", "bench"]:
                self.assertIn(".B " + sub, text)
            script = f'source {completion}; COMP_WORDS=(pactool ev); COMP_CWORD=1; _pactool; echo "${{COMPREPLY[@]}}";' \
                     f'COMP_WORDS=(pactool eval --pro); COMP_CWORD=2; _pactool; echo "${{COMPREPLY[@]}}"'
            out = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
            self.assertEqual(out.stdout.splitlines(), ["eval", "--profile"], out.stderr)


if __name__ == "__main__":
    unittest.main()
