"""The build names the Debian package to install when a dependency is missing."""
import os
import unittest

from wpadkit_testlib import SOURCE_DIR, run, temp_dir


class MissingDependencyTest(unittest.TestCase):
    def configure(self, build_dir, *args, env=None):
        return run(["cmake", "-S", SOURCE_DIR, "-B", build_dir, "-G", "Ninja", *args],
                   env=env, timeout=120)

    def test_missing_duktape_source_names_duktape_dev(self):
        with temp_dir() as d:
            p = self.configure(os.path.join(d, "b"), "-DWPADKIT_DUKTAPE_SOURCE_DIR=" + os.path.join(d, "none"))
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("duktape-dev", p.stderr)

    def test_missing_pkg_config_modules_name_their_package(self):
        # An empty pkg-config search path hides c-ares, the first pkg-config module looked for.
        with temp_dir() as d:
            env = dict(os.environ, PKG_CONFIG_LIBDIR=d, PKG_CONFIG_PATH="")
            p = self.configure(os.path.join(d, "b"), env=env)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("libc-ares-dev", p.stderr)
            self.assertIn("apt-get install", p.stderr)


if __name__ == "__main__":
    unittest.main()
