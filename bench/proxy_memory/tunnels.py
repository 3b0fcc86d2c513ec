#!/usr/bin/env python3
"""Helpers for bench/proxy_memory/run.sh (Python stdlib only).

  tunnels.py listen PORTFILE
      A TCP listener on 127.0.0.1 (free port, written to PORTFILE) that accepts every connection and
      never sends anything; it keeps the sockets open until it is killed. Prints the number of
      connections it holds to stdout every time it changes (last line = current count; the maximum is
      the number it held at once). A connection the client side ends is closed here too.

  tunnels.py open PROXY_PORT TARGET_PORT COUNT
      Opens COUNT connections to the proxy, sends `CONNECT 127.0.0.1:TARGET_PORT HTTP/1.1` on each
      and waits for every response head. Prints "established N failed M" (and the first failures),
      then holds the tunnels open. On a line "check" on stdin it prints "open N closed M" (a closed
      tunnel = the proxy ended it: EOF or error while idle); on "close" or EOF it closes them all and
      exits.
"""
import asyncio
import sys


async def listen(portfile):
    held = []

    async def on_conn(reader, writer):
        held.append(writer)
        print(len(held), flush=True)
        # Stay silent; reading until EOF keeps the coroutine (and the socket) alive. On EOF close our
        # side too, as a server would: a half-closed tunnel stays open in the proxy.
        try:
            while await reader.read(65536):
                pass
        except ConnectionError:
            pass
        writer.close()
        held.remove(writer)
        print(len(held), flush=True)

    server = await asyncio.start_server(on_conn, "127.0.0.1", 0, backlog=4096)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    async with server:
        await server.serve_forever()


async def open_tunnels(proxy_port, target_port, count):
    conns = []
    failures = []
    sem = asyncio.Semaphore(100)  # at most 100 handshakes in flight, like a busy browser

    async def one(i):
        async with sem:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", proxy_port), 30)
                writer.write(f"CONNECT 127.0.0.1:{target_port} HTTP/1.1\r\n"
                             f"Host: 127.0.0.1:{target_port}\r\n\r\n".encode())
                await writer.drain()
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                status = head.split(b"\r\n", 1)[0].decode(errors="replace")
                if status.split()[1:2] != ["200"]:
                    failures.append(f"#{i}: {status}")
                    writer.close()
                    return
                conns.append((reader, writer))
            except Exception as e:  # noqa: BLE001 - reported, not hidden
                failures.append(f"#{i}: {type(e).__name__}: {e}")

    await asyncio.gather(*(one(i) for i in range(count)))
    print(f"established {len(conns)} failed {len(failures)}", flush=True)
    for f in failures[:5]:
        print(f"  failure {f}", flush=True)

    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    while True:
        line = (await stdin.readline()).decode().strip()
        if line == "check":
            closed = 0
            for reader, _ in conns:
                # An idle tunnel has nothing to read; EOF or data means the proxy did something.
                if reader.at_eof() or reader._buffer:  # noqa: SLF001
                    closed += 1
                else:
                    try:
                        data = await asyncio.wait_for(reader.read(1), 0.001)
                        if data == b"" or data:
                            closed += 1
                    except asyncio.TimeoutError:
                        pass
                    except ConnectionError:
                        closed += 1
            print(f"open {len(conns) - closed} closed {closed}", flush=True)
        else:
            break
    for _, writer in conns:
        writer.close()
    await asyncio.sleep(0.2)
    print("closed", flush=True)


def main():
    if sys.argv[1] == "listen":
        asyncio.run(listen(sys.argv[2]))
    elif sys.argv[1] == "open":
        asyncio.run(open_tunnels(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
