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


# Ports for peers that cannot listen on port 0 and report the port they got (Squid, danted, ...).
# Picking a port by binding to port 0 and releasing it races with every other test running in
# parallel: the kernel hands the same ephemeral port to the next bind(0) or connect(). So the ports
# we hand out come from below the kernel's ephemeral range (where nothing gets a port unasked), and
# each is reserved for this process's lifetime by an flock on a file named after it, shared by every
# test process on the machine (ctest -j, other checkouts).
_PORT_LOCK_DIR = os.path.join(tempfile.gettempdir(), "wpadkit-test-ports")
_reserved = []  # (port, lock fd or socket) kept open until the process exits


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _reserve(host, keep_bound):
    import fcntl
    import random
    os.makedirs(_PORT_LOCK_DIR, exist_ok=True)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    low, high = 20000, min(_ephemeral_low(), 65536) - 1
    rng = random.Random(os.getpid() ^ time.monotonic_ns())
    for _ in range(2000):
        port = rng.randint(low, high)
        fd = os.open(os.path.join(_PORT_LOCK_DIR, str(port)), os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        s = socket.socket(family)
        try:
            s.bind((host, port))
        except OSError:
            s.close()
            os.close(fd)  # in use by something that is not one of us: try another
            continue
        if not keep_bound:
            s.close()
        _reserved.append((port, fd, s))
        return port
    raise RuntimeError("no free port to reserve below the ephemeral range")


def free_port(host="127.0.0.1"):
    """A port reserved for this test process (see above): free now, and no other test process and no
    bind(0) will take it, so a peer started next can listen on it."""
    return _reserve(host, keep_bound=False)


def closed_port(host="127.0.0.1"):
    """A port that refuses connections for the rest of this process: a socket is kept bound to it,
    never listening (a connect gets a reset, ECONNREFUSED), so nothing else can listen there."""
    return _reserve(host, keep_bound=True)


def needs_peer(present, reason):
    """Class or test decorator for a test that needs a peer program or module (Chromium, pacparser).
    Where it is missing the test is skipped on a developer's machine — but fails under CI=true:
    scripts/install-deps.sh installs every peer, so a missing one in CI is a broken install, and a
    skip there would turn a test that never ran into a pass."""
    import unittest
    if present:
        return lambda obj: obj
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        def fail(obj):
            if isinstance(obj, type):
                def setUpClass(cls):
                    raise AssertionError(f"CI=true and a peer is missing: {reason}")
                obj.setUpClass = classmethod(setUpClass)
                return obj

            def failing(*args, **kwargs):
                raise AssertionError(f"CI=true and a peer is missing: {reason}")
            return failing
        return fail
    return unittest.skip(reason)


def wait_for_port(port, host="127.0.0.1", timeout=60.0, proc=None):
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


def poll(fn, timeout=60.0, interval=0.05):
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
    """A program running in the background for the duration of a `with` block, in a process group of
    its own. Its stdout and stderr (when pipes, the default) are drained by threads into the lists of
    lines `out` and `err` as it writes them, so a chatty program never stalls on a full pipe and a
    test can wait for a line it prints (`wait_for`) instead of sleeping."""

    def __init__(self, args, env=None, cwd=None, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
        import threading
        self.args = args
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=stdout, stderr=stderr, text=True,
                                     start_new_session=True)
        self.out, self.err = [], []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._drain, args=(st, sink), daemon=True)
                         for st, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)) if st]
        for t in self._threads:
            t.start()

    def _drain(self, stream, sink):
        for line in iter(stream.readline, ""):
            with self._lock:
                sink.append(line.rstrip("\n"))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def lines(self, stream="out", start=0):
        """A copy of the lines printed so far on `stream` ("out" or "err"), from index `start`."""
        with self._lock:
            return list((self.out if stream == "out" else self.err)[start:])

    def mark(self, stream="err"):
        """The number of lines printed so far: pass it as `start` to wait only for later lines."""
        with self._lock:
            return len(self.out if stream == "out" else self.err)

    def wait_for(self, pattern, stream="out", timeout=60.0, start=0):
        """The re.Match of the first line (index >= start) of `stream` matching `pattern`, waiting for
        it; AssertionError naming the pattern and the output when the program exits first or after
        `timeout` s (a guard against a hang, not a speed requirement)."""
        import re
        deadline = time.monotonic() + timeout
        while True:
            exited = self.proc.poll() is not None
            if exited:
                for t in self._threads:
                    t.join(timeout=5)  # everything it printed before exiting
            for line in self.lines(stream, start):
                m = re.search(pattern, line)
                if m:
                    return m
            if exited or time.monotonic() > deadline:
                with self._lock:
                    raise AssertionError(f"no line matching {pattern!r} on std{stream} (exit "
                                         f"{self.proc.poll()}):\nstdout: {self.out}\nstderr: {self.err}")
            time.sleep(0.02)

    def wait_for_output(self, pattern, timeout=60.0, stream="out", start=0):
        """Like wait_for, returning the whole matching line."""
        return self.wait_for(pattern, stream=stream, timeout=timeout, start=start).string

    def send_signal(self, sig):
        """Sends `sig` to the program's whole process group."""
        os.killpg(self.proc.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Stops the program (its whole process group); returns (stdout, stderr) as text."""
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
        for st in (self.proc.stdout, self.proc.stderr):
            if st:
                st.close()
        with self._lock:
            return "\n".join(self.out), "\n".join(self.err)


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
    """pacserver running in the background; `addresses` are the "ADDR:PORT" it printed as bound."""

    def __init__(self, args, timeout=60.0, expect_listen=True, cwd=None):
        import re
        super().__init__([binary("pacserver"), *args], cwd=cwd)
        self.addresses = []
        if expect_listen:
            self.wait_for(r"pacserver: serving ", timeout=timeout)
            self.addresses = [m.group(1) for l in self.lines()
                              for m in [re.match(r"pacserver: listening on (\S+)", l)] if m]
            assert self.addresses, f"pacserver did not start: {self.err}"

    @property
    def port(self):
        return int(self.addresses[0].rsplit(":", 1)[1])

    def url(self, path="/wpad.dat"):
        return f"http://{self.addresses[0]}{path}"


def http_get(url, headers=None, method="GET", source=None, timeout=60):
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
