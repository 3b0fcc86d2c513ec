"""Peers for the forwarding-proxy tests (tests/integration/test_proxy_*.py), standard library only.

- EchoOrigin: an HTTP/1.1 origin on 127.0.0.1 that answers every request with the exact request head it
  received (and the body's length) as its body, so a test can see what the proxy sent upstream.
- DeadProxy: accepts connections and closes them at once (a proxy that is up but dead).
- closed_port(): a port that refuses (a socket bound to it, never listening, kept by the test).
- Squid, Microsocks, Dante, TlsOrigin: real programs, configured in a temp dir, stopped by the test.
- ProxyUnderTest: `pactool proxy` started on port 0; its port is read from its "listening on" line.
"""
import contextlib
import os
import select
import socket
import socketserver
import subprocess
import threading
import time

import wpadkit_testlib as lib


def _read_head(conn, buf):
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None, buf
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head + b"\r\n\r\n", rest


def _read_exact(conn, buf, n):
    parts, have = [buf], len(buf)
    while have < n:
        data = conn.recv(min(max(65536, n - have), 1 << 20))
        if not data:
            raise ConnectionError("short body")
        parts.append(data)
        have += len(data)
    buf = b"".join(parts)
    return buf[:n], buf[n:]


def _read_chunked(conn, buf):
    parts = []  # joined once at the end: `body += chunk` copies the whole body for every chunk
    while True:
        while b"\r\n" not in buf:
            data = conn.recv(65536)
            if not data:
                raise ConnectionError("short chunked body")
            buf += data
        line, buf = buf.split(b"\r\n", 1)
        size = int(line.split(b";")[0], 16)
        if size == 0:
            while b"\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    raise ConnectionError("no end of the chunked body")
                buf += data
            _, buf = buf.split(b"\r\n", 1)  # no trailers expected
            return b"".join(parts), buf
        chunk, buf = _read_exact(conn, buf, size + 2)
        parts.append(chunk[:-2])


class _EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request
        buf = b""
        while True:
            head, buf = _read_head(conn, buf)
            if head is None:
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target = lines[0].split(" ")[0], lines[0].split(" ")[1]
            fields = [l.split(":", 1) for l in lines[1:] if ":" in l]
            lower = {k.strip().lower(): v.strip() for k, v in fields}
            body = b""
            if lower.get("transfer-encoding", "").lower().endswith("chunked"):
                body, buf = _read_chunked(conn, buf)
            elif "content-length" in lower:
                body, buf = _read_exact(conn, buf, int(lower["content-length"]))
            self.server.requests.append((head, body))
            if target.endswith("/slow"):
                time.sleep(3)
            if "/big" in target:
                n = int(target.split("n=")[1])
                payload = b"x" * n
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nServer: echo-origin\r\n\r\n" % n)
                if method != "HEAD":
                    conn.sendall(payload)
                continue
            payload = head + b"body-length: %d\r\n" % len(body)
            if target.endswith("/chunked"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: echo-origin\r\n\r\n")
                for i in range(0, len(payload), 100):
                    part = payload[i:i + 100]
                    conn.sendall(b"%x\r\n%s\r\n" % (len(part), part))
                conn.sendall(b"0\r\n\r\n")
                continue
            if target.endswith("/eof"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nServer: echo-origin\r\nConnection: close\r\n\r\n" + payload)
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: echo-origin\r\n"
                         b"X-Origin-Dup: a\r\nX-Origin-Dup: b\r\nContent-Length: %d\r\n\r\n" % len(payload)
                         + (payload if method != "HEAD" else b""))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class EchoOrigin:
    def __init__(self, host="127.0.0.1"):
        self.server = _Server((host, 0), _EchoHandler)
        self.server.requests = []
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def requests(self):
        return self.server.requests


class DeadProxy:
    """Accepts and closes at once, without a byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop:
            r, _, _ = select.select([self.sock], [], [], 0.1)
            if r:
                with contextlib.suppress(OSError):
                    c, _ = self.sock.accept()
                    self.accepted += 1
                    c.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        self.thread.join()
        self.sock.close()


closed_port = lib.closed_port  # bound and never listening, held for the test process's lifetime


class RefusingPort:
    """A port the test holds that refuses every connection: bound, never listening, so the kernel
    answers each SYN with a reset (ECONNREFUSED), and no other program can take the port meanwhile."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()


class Squid:
    """Squid as a parent proxy. `basic_users` ({user: password}) makes it require Basic proxy
    authentication (basic_ncsa_auth over an `htpasswd -B` file, realm "test-squid") for every request.
    `ntlm` makes it require NTLM instead (ntlm_fake_auth: a real NTLM exchange with Squid, which takes
    any password). `access_log` keeps Squid's access log (format "squid": the user is field 8) in
    `self.access_log`."""

    def __init__(self, tmp, hosts="", basic_users=None, ntlm=False, access_log=False):
        self.dir = os.path.join(tmp, "squid")
        os.makedirs(self.dir, exist_ok=True)
        self.port = lib.free_port()
        lib.write(os.path.join(self.dir, "hosts"), hosts)
        auth = []
        if basic_users:
            passwd = os.path.join(self.dir, "passwd")
            lib.write(passwd, "")
            for user, password in basic_users.items():
                lib.run(["htpasswd", "-bB", "-C", "5", passwd, user, password], check=0)
            auth = [f"auth_param basic program /usr/lib/squid/basic_ncsa_auth {passwd}",
                    "auth_param basic realm test-squid",
                    "acl authenticated proxy_auth REQUIRED",
                    "http_access deny !authenticated"]
            # The helper runs as user proxy: it must be able to pass through the (0700) test dir.
            os.chmod(tmp, os.stat(tmp).st_mode | 0o011)
        if ntlm:
            auth = ["auth_param ntlm program /usr/lib/squid/ntlm_fake_auth",
                    "auth_param ntlm children 2",
                    "acl authed proxy_auth REQUIRED",
                    "http_access deny !authed"]
        self.access_log = os.path.join(self.dir, "access.log") if access_log else None
        if ntlm or access_log:
            # The helper and the access log are opened as user proxy: it must pass through the test dir.
            os.chmod(tmp, os.stat(tmp).st_mode | 0o011)
        lib.write(os.path.join(self.dir, "squid.conf"), "\n".join([
            f"http_port 127.0.0.1:{self.port}",
            f"pid_filename {self.dir}/pid",
            "cache deny all",
            f"access_log stdio:{self.access_log} squid" if access_log else "access_log none",
            f"cache_log {self.dir}/cache.log",
            f"coredump_dir {self.dir}",
            *auth,
            "http_access allow localhost",
            "http_access deny all",
            "visible_hostname test-squid",
            "workers 1",
            f"hosts_file {self.dir}/hosts",
            "shutdown_lifetime 0 seconds",
            ""]))
        subprocess.run(["chown", "-R", "proxy", self.dir], check=True)
        self.proc = lib.Background(["squid", "-N", "-f", os.path.join(self.dir, "squid.conf")])

    def __enter__(self):
        lib.wait_for_port(self.port, timeout=30, proc=self.proc.proc)
        return self

    def __exit__(self, *exc):
        self.proc.stop(timeout=15)

    def log_lines(self):
        """The access log's lines so far, split into fields."""
        if not self.access_log or not os.path.exists(self.access_log):
            return []
        with open(self.access_log) as f:
            return [line.split() for line in f.read().splitlines() if line.strip()]


class Microsocks:
    def __init__(self):
        self.port = lib.free_port()
        self.proc = lib.Background(["microsocks", "-i", "127.0.0.1", "-p", str(self.port)])

    def __enter__(self):
        lib.wait_for_port(self.port, proc=self.proc.proc)
        return self

    def __exit__(self, *exc):
        self.proc.stop()


class Dante:
    """dante-server (danted) as a SOCKS4/SOCKS5 server without authentication, in the foreground."""

    def __init__(self, tmp):
        self.port = lib.free_port()
        conf = lib.write(os.path.join(tmp, "danted.conf"), "\n".join([
            f"logoutput: {tmp}/danted.log",
            f"internal: 127.0.0.1 port = {self.port}",
            "external: 127.0.0.1",
            "clientmethod: none",
            "socksmethod: none",
            "user.privileged: root",
            "user.unprivileged: nobody",
            "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }",
            "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }",
            ""]))
        self.proc = lib.Background(["danted", "-f", conf, "-p", os.path.join(tmp, "danted.pid"), "-N", "1"])

    def __enter__(self):
        lib.wait_for_port(self.port, proc=self.proc.proc)
        return self

    def __exit__(self, *exc):
        self.proc.stop()


class TlsOrigin:
    def __init__(self, tmp):
        self.port = lib.free_port()
        key, cert = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
        lib.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                 "-subj", "/CN=localhost", "-days", "1"], check=0)
        self.proc = lib.Background(["openssl", "s_server", "-accept", f"127.0.0.1:{self.port}", "-cert", cert,
                                    "-key", key, "-www", "-quiet"])

    def __enter__(self):
        lib.wait_for_port(self.port, proc=self.proc.proc)
        return self

    def __exit__(self, *exc):
        self.proc.stop()


class ProxyUnderTest:
    """`pactool proxy ... --listen 127.0.0.1:0`, ready once it printed its port (and its admin port when
    `--admin` is given). Its output is drained as it runs: `bg.wait_for(pattern, stream="err")` waits
    for a line it prints (a reload, an error) instead of sleeping."""

    def __init__(self, *args, timeout=60):
        cmd = [lib.binary("pactool"), "proxy", "--listen", "127.0.0.1:0", "--threads", "2"] + list(args)
        self.bg = lib.Background(cmd)
        self.proc = self.bg.proc
        try:
            m = self.bg.wait_for(r"^listening on .*:(\d+) \(via (\S+)\)", timeout=timeout)
            self.port, self.via = int(m.group(1)), m.group(2)
            self.admin_port = None
            if "--admin" in args:
                self.admin_port = int(self.bg.wait_for(r"^admin on .*:(\d+)", timeout=timeout).group(1))
        except BaseException:
            self.bg.stop()
            raise
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def wait_for(self, pattern, stream="err", start=0):
        return self.bg.wait_for(pattern, stream=stream, start=start)

    def mark(self, stream="err"):
        return self.bg.mark(stream)

    def stop(self):
        return self.bg.stop()


def _complete_responses(data, connect=False):
    """How many whole HTTP responses `data` holds, each framed by Content-Length or chunked (a
    response framed by the close is never whole until the peer closes); with `connect`, the answers to
    CONNECT, where a 2xx has no body (RFC 9110 §9.3.6)."""
    count = 0
    while True:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return count
        head, rest = data[:end].decode("latin-1"), data[end + 4:]
        fields = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip()
                  for l in head.split("\r\n")[1:] if ":" in l}
        status = int(head.split(" ", 2)[1]) if head.startswith("HTTP/") and head.count(" ") >= 1 else 0
        if 100 <= status < 200 or status in (204, 304) or (connect and 200 <= status < 300):
            length = 0
        elif "chunked" in fields.get("transfer-encoding", "").lower():
            term = rest.find(b"\r\n0\r\n\r\n")
            if rest.startswith(b"0\r\n\r\n"):
                term = -2
            if term == -1:
                return count
            length = term + 7
        elif "content-length" in fields:
            length = int(fields["content-length"])
        else:
            return count
        if len(rest) < length:
            return count
        if not 100 <= status < 200:
            count += 1
        data = rest[length:]


def raw_exchange(port, data, timeout=60, half_close=False, responses=None):
    """Sends raw bytes to 127.0.0.1:port and returns everything received until the peer closes — or,
    with `responses=N`, once N whole responses arrived (for a peer that rightly keeps the connection
    open after answering)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while responses is None or _complete_responses(out, data.startswith(b"CONNECT ")) < responses:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out


def curl(*args, timeout=600):
    """curl printing the response head: returns (status, final head, body) as text (latin-1).

    No --max-time: a busy machine (the sanitizer pass on two cores) can take longer than any guess, and
    a test must not fail for that. curl gives up only when the transfer stops moving (less than one
    byte a second for a minute) or the connection cannot be made; `timeout` is a last guard against a
    hang, far above either."""
    p = subprocess.run(["curl", "-sS", "-D", "-", "--connect-timeout", "60", "--speed-limit", "1",
                        "--speed-time", "60"] + list(args), capture_output=True, timeout=timeout)
    rest = p.stdout.decode("latin-1")
    heads = []
    # Interim (1xx) and CONNECT heads come first: the last head is the final response.
    while rest.startswith("HTTP/"):
        head, _, rest = rest.partition("\r\n\r\n")
        heads.append(head)
    if not heads:
        return None, "", p.stderr.decode("latin-1") + rest
    return int(heads[-1].split(" ")[1]), heads[-1], rest
