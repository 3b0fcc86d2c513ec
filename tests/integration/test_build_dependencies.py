"""The build names the Debian package to install when a dependency is missing."""
import os
import unittest

from wpadkit_testlib import SOURCE_DIR, run, temp_dir, write


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


class ArchitectureCheckTest(unittest.TestCase):
    """scripts/check-architecture.py (CTest's `architecture` runs it on the tree) finds what it is for:
    an include, a link, or a folder the README's table does not allow."""

    def check(self, files):
        with temp_dir() as d:
            readme = open(os.path.join(SOURCE_DIR, "README.md"), encoding="utf-8").read()
            write(os.path.join(d, "README.md"), readme)
            for rel, text in files.items():
                os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
                write(os.path.join(d, rel), text)
            return run(["python3", os.path.join(SOURCE_DIR, "scripts", "check-architecture.py"), d])

    def test_allowed_dependencies_pass(self):
        p = self.check({"proxycore/forward/a.cpp": '#include "proxycore/pac/pac_engine.hpp"\n#include <boost/beast/http.hpp>\n'})
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_an_include_against_the_table_fails_naming_file_and_line(self):
        p = self.check({"proxycore/model/a.cpp": '#include <string>\n#include "proxycore/forward/session.hpp"\n'})
        self.assertEqual(p.returncode, 1)
        self.assertIn("proxycore/model/a.cpp:2: includes proxycore/forward/session.hpp", p.stdout)

    def test_a_library_against_the_table_fails(self):
        p = self.check({"proxycore/base/b.hpp": "#include <duktape.h>\n",
                        "proxycore/base/CMakeLists.txt": "add_library(b b.cpp)\ntarget_link_libraries(b PRIVATE CLI11::CLI11)\n"})
        self.assertEqual(p.returncode, 1)
        self.assertIn("proxycore/base/b.hpp:1: includes duktape.h (Duktape)", p.stdout)
        self.assertIn("proxycore/base/CMakeLists.txt:2: b links CLI11::CLI11 (CLI11)", p.stdout)

    def test_a_folder_missing_from_the_table_fails(self):
        p = self.check({"proxycore/newthing/x.cpp": "int x;\n"})
        self.assertEqual(p.returncode, 1)
        self.assertIn("proxycore/newthing/: a folder of code that README.md's architecture table does not list",
                      p.stdout)


if __name__ == "__main__":
    unittest.main()
