"""Shared helpers for wpadkit's integration tests (standard library only).

Paths come from the environment CTest sets: WPADKIT_BUILD_DIR and WPADKIT_SOURCE_DIR. Every server a
test starts listens on 127.0.0.1 (or a namespace the test made) on a port the OS picked, and is
stopped by the test, also on failure.
"""
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BUILD_DIR = os.environ.get("WPADKIT_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SOURCE_DIR = os.environ.get("WPADKIT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def binary(name):
    """Absolute path of a built program: 'pactool' or 'pacserver'."""
    path = os.path.join(BUILD_DIR, name, name)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} not built")
    return path


def source(*parts):
    return os.path.join(SOURCE_DIR, *parts)


def free_port(host="127.0.0.1"):
    """A port that was free a moment ago (for peers that cannot listen on port 0 and report it)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for_port(port, host="127.0.0.1", timeout=15.0, proc=None):
    """Polls until something accepts on host:port; fails early if `proc` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {host}:{port}")
        with contextlib.suppress(OSError):
            with socket.create_connection((host, port), timeout=0.5):
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def run(args, input=None, timeout=60, env=None, check=None):
    """Runs a program to completion; returns CompletedProcess with text stdout/stderr.

    The program runs in a session of its own, and on timeout its whole process group is killed before
    subprocess.TimeoutExpired is raised: subprocess.run would kill the program alone and then wait for
    its pipes, which a browser's helper processes keep open, so a slow Chromium hung the test forever
    instead of failing it."""
    proc = subprocess.Popen(args, stdin=subprocess.PIPE if input is not None else None,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise subprocess.TimeoutExpired(args, timeout, output=out, stderr=err) from None
    p = subprocess.CompletedProcess(args, proc.returncode, out, err)
    if check is not None and p.returncode != check:
        raise AssertionError(f"{args} exited {p.returncode}, expected {check}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def poll(fn, timeout=15.0, interval=0.05):
    """fn()'s first truthy value, asked every `interval` s; AssertionError once `timeout` s passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


class Background:
    """A program running in the background for the duration of a `with` block."""

    def __init__(self, args, env=None, cwd=None, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
        self.args = args
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=stdout, stderr=stderr, text=True,
                                     start_new_session=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        out, err = self.proc.communicate() if self.proc.stdout else ("", "")
        return out, err


@contextlib.contextmanager
def temp_dir():
    d = tempfile.mkdtemp(prefix="wpadkit-test-")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path


class PacServer(Background):
    """pacserver running in the background; `addresses` are the "ADDR:PORT" it printed as bound.

    stdout and stderr are drained by threads (the access log may write to stdout), kept in
    `self.out` / `self.err` lists of lines; `wait_for_output` polls them.
    """

    def __init__(self, args, timeout=30.0, expect_listen=True, cwd=None):
        import threading
        super().__init__([binary("pacserver"), *args], cwd=cwd)
        self.out, self.err = [], []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._drain, args=(s, l), daemon=True)
                         for s, l in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self._threads:
            t.start()
        self.addresses = []
        if expect_listen:
            line = self.wait_for_output(r"pacserver: serving ", timeout=timeout)
            import re
            with self._lock:
                self.addresses = [m.group(1) for l in self.out
                                  for m in [re.match(r"pacserver: listening on (\S+)", l)] if m]
            assert line and self.addresses, f"pacserver did not start: {self.err}"

    def _drain(self, stream, sink):
        for line in iter(stream.readline, ""):
            with self._lock:
                sink.append(line.rstrip("\n"))

    def wait_for_output(self, pattern, timeout=30.0, stream="out", start=0):
        """Polls until a line matching regex `pattern` appears (index >= start); returns it."""
        import re
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                lines = list(self.out if stream == "out" else self.err)
            for l in lines[start:]:
                if re.search(pattern, l):
                    return l
            if self.proc.poll() is not None:
                with self._lock:
                    raise RuntimeError(f"pacserver exited {self.proc.returncode}: {self.err}")
            time.sleep(0.02)
        with self._lock:
            raise TimeoutError(f"no line matching {pattern!r}; stdout={self.out} stderr={self.err}")

    @property
    def port(self):
        return int(self.addresses[0].rsplit(":", 1)[1])

    def url(self, path="/wpad.dat"):
        return f"http://{self.addresses[0]}{path}"

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for t in self._threads:
            t.join(timeout=5)
        return "\n".join(self.out), "\n".join(self.err)


def http_get(url, headers=None, method="GET", source=None, timeout=10):
    """One HTTP request with http.client (no automatic decompression, no proxies).
    `source` binds the client socket to that local address (e.g. "127.0.2.5").
    Returns (status, headers dict with lower-case names, body bytes)."""
    import http.client
    import urllib.parse
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, u.path + (("?" + u.query) if u.query else ""), headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()
