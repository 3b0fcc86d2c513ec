#!/usr/bin/env python3
"""Checks the code against the README's architecture table: every folder of our own code is in the
table, and what its files include (our headers and the libraries') and what its CMake targets link is
among what the table says the folder "may depend on". Prints each violation as FILE:LINE: what, and
exits 1 when there is one (CTest runs it: `architecture` in tests/CMakeLists.txt).

Usage: scripts/check-architecture.py [SOURCE_DIR]"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))

# Our folders whose dependencies are checked (a folder of code missing from the table is a violation).
CODE_ROOTS = ["proxycore", "configfile", "pactool", "pacserver"]

# How a library named in the table shows in an #include line and in target_link_libraries.
LIBRARIES = {  # the specific ones first: the first pattern that matches names the library
    "Asio": (r"boost/asio", r"Boost::asio"),
    "Beast": (r"boost/beast", r"Boost::beast"),
    "Boost.URL": (r"boost/url", r"Boost::url"),
    "Boost.JSON": (r"boost/json", r"Boost::json"),
    "Boost": (r"boost/", r"Boost::"),
    "c-ares": (r"ares(_\w+)?\.h", r"cares|c-ares|CARES"),
    "Duktape": (r"duktape\.h|duk_\w+\.h", r"duktape"),
    "libidn2": (r"idn2\.h", r"idn2|IDN2"),
    "libpsl": (r"libpsl\.h", r"psl|PSL"),
    "cpp-httplib": (r"httplib\.h", r"httplib"),
    "OpenSSL": (r"openssl/", r"OpenSSL::"),
    "libcrypt": (r"crypt\.h", r"crypt\b|CRYPT"),
    "toml++": (r"toml\+\+/", r"tomlplusplus"),
    "mustache": (r"mustache\.hpp", r"mustache"),
    "CLI11": (r"CLI/", r"CLI11"),
    "zlib": (r"zlib\.h", r"ZLIB::"),
    "brotli": (r"brotli/", r"brotli"),
    "libsystemd": (r"systemd/", r"systemd"),
    "GSSAPI": (r"gssapi", r"gssapi|krb5"),
    "Catch2": (r"catch2/", r"Catch2|wpadkit_catch_main"),
}
# Libraries every folder may use: the C and C++ standard libraries, POSIX, Linux, and the test
# framework in *_test.cpp files.
ALWAYS = ("Threads::Threads", "pthread", "dl", "rt")


def table():
    """{folder: set of allowed names} from README.md's architecture table."""
    allowed, rows = {}, 0
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        in_table = False
        for line in f:
            if line.startswith("## Architecture"):
                in_table = True
                continue
            if in_table and line.startswith("## "):
                break
            m = re.match(r"\|\s*`([^`]+)/`\s*\|.*\|\s*([^|]*)\|\s*$", line) if in_table else None
            if not m:
                continue
            rows += 1
            names = set()
            text = re.sub(r"\([^)]*\)", "", m.group(2))
            for part in re.split(r"[,/]", text):
                part = part.strip()
                if part and part not in ("—", "-"):
                    names.add(part)
            allowed[m.group(1)] = names
    if rows == 0:
        sys.exit("check-architecture: no architecture table found in README.md")
    return allowed


def folder_of(path, folders):
    """The longest table folder containing `path` (relative to ROOT)."""
    best = None
    for f in folders:
        if path == f or path.startswith(f + "/"):
            if best is None or len(f) > len(best):
                best = f
    return best


def our_folder_allowed(target_folder, names, folders):
    """Whether code in a folder may use our folder `target_folder`."""
    for n in names:
        if target_folder == n or target_folder.startswith(n + "/"):  # "proxycore" covers its folders
            return True
        # "base", "dns" ... inside proxycore's table rows name sibling folders.
        if "proxycore/" + n == target_folder:
            return True
    return False


def main():
    allowed = table()
    folders = set(allowed)
    problems = []
    targets = {}  # CMake target -> folder
    cmake_files = []
    for root_name in CODE_ROOTS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, root_name)):
            rel_dir = os.path.relpath(dirpath, ROOT)
            code = [n for n in filenames if n.endswith((".cpp", ".hpp", ".h", ".c"))]
            if code and folder_of(rel_dir, folders) is None:
                problems.append(f"{rel_dir}/: a folder of code that README.md's architecture table does not list")
            for name in filenames:
                path = os.path.join(dirpath, name)
                if name == "CMakeLists.txt" or name.endswith(".cmake"):
                    cmake_files.append(path)
                    with open(path, encoding="utf-8") as f:
                        for t in re.findall(r"add_(?:library|executable)\(\s*([\w-]+)", f.read()):
                            targets[t] = folder_of(rel_dir, folders)
    # Includes.
    for root_name in CODE_ROOTS:
        for dirpath, _, filenames in os.walk(os.path.join(ROOT, root_name)):
            for name in filenames:
                if not name.endswith((".cpp", ".hpp", ".h", ".c")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, ROOT)
                folder = folder_of(os.path.dirname(rel), folders)
                if folder is None:
                    continue
                names = allowed[folder]
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = re.match(r'\s*#\s*include\s*[<"]([^>"]+)[>"]', line)
                        if not m:
                            continue
                        inc = m.group(1)
                        ours = folder_of(os.path.dirname(inc), folders) if "/" in inc else None
                        if ours is not None:
                            if ours != folder and not our_folder_allowed(ours, names, folders):
                                problems.append(f"{rel}:{lineno}: includes {inc} ({ours}/), which {folder}/ may not depend on")
                            continue
                        for lib, (inc_re, _) in LIBRARIES.items():
                            if re.match(inc_re, inc):
                                ok = lib in names or (lib == "Catch2" and name.endswith("_test.cpp"))
                                if not ok:
                                    problems.append(f"{rel}:{lineno}: includes {inc} ({lib}), which {folder}/ may not depend on")
                                break
    # Links.
    for path in cmake_files:
        rel = os.path.relpath(path, ROOT)
        folder = folder_of(os.path.dirname(rel), folders)
        if folder is None:
            continue
        names = allowed[folder]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"target_link_libraries\(\s*([\w-]+)([^)]*)\)", text):
            lineno = text.count("\n", 0, m.start()) + 1
            for item in m.group(2).split():
                if item in ("PUBLIC", "PRIVATE", "INTERFACE") or item.startswith("${") or item in ALWAYS:
                    continue
                if item in targets:
                    ours = targets[item]
                    if ours and ours != folder and not our_folder_allowed(ours, names, folders):
                        problems.append(f"{rel}:{lineno}: {m.group(1)} links {item} ({ours}/), which {folder}/ may not depend on")
                    continue
                known = [lib for lib, (_, link_re) in LIBRARIES.items() if re.search(link_re, item)]
                if not known:
                    continue  # a target of another folder (bench, tests) or a system library
                if not any(lib in names or lib == "Catch2" for lib in known):
                    problems.append(f"{rel}:{lineno}: {m.group(1)} links {item} ({', '.join(known)}), which {folder}/ may not depend on")
    for p in problems:
        print(p)
    if problems:
        print(f"check-architecture: {len(problems)} dependencies the README's table does not allow", file=sys.stderr)
        return 1
    print(f"check-architecture: {len(folders)} folders, every include and link within the table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
