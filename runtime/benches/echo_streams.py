#!/usr/bin/env python3
"""The workload of `cargo bench -p asyncio --bench echo_streams` on Python:
asyncio's and uvloop's streams. The server is `asyncio.start_server` with a
callback that reads exactly one 1 KiB message (`reader.readexactly`) and
writes it back (`writer.write` + `await writer.drain()`) until the client
closes; the clients come from `asyncio.open_connection`, each sending a
message (`write` + `drain`) and waiting for its whole echo
(`readexactly(1024)`) before the next, all connections at once (a task per
client, `gather`ed); 1, 10 and 100 connections.

Two layouts, as in the Rust bench: client and server in one event loop, and
the server in a child process (this script again, `--serve LOOP`, printing
its port) with the clients in this process, on the same kind of loop. Only
the round trips are timed (connecting is not); one warm-up run, then the
median of REPS runs, in round trips per second.

    python3.13 runtime/benches/echo_streams.py [--round-trips N] [--loops asyncio,uvloop] [--ours]

With `--ours`, each case also runs on this crate (the Rust bench binary,
built with `cargo bench --no-run`, in a child process that warms up and
times one run; its own server child for the two-process layout), alternately
with the Python runs, and the ratio ours / Python in round trips per second
is printed, then whether the targets (at least 2x uvloop's round trips per
second, at least 4x asyncio's) were met: ratios from one run, on a noisy
machine.

uvloop is imported, or installed with pip if missing; if that fails, it is
skipped with a message. The loops, cases, timing and `--ours` are
`echo_common.py`'s, shared with `echo_protocol.py`.
"""

import asyncio
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the benches
import echo_common  # noqa: E402
from echo_common import MESSAGE  # noqa: E402


async def echo(reader, writer):
    try:
        while True:
            try:
                message = await reader.readexactly(len(MESSAGE))
            except asyncio.IncompleteReadError:
                break  # EOF between messages: the client is done
            writer.write(message)
            await writer.drain()
    except ConnectionError:
        pass  # a client that vanished
    finally:
        writer.close()


async def client(reader, writer, rounds):
    for _ in range(rounds):
        writer.write(MESSAGE)
        await writer.drain()
        await reader.readexactly(len(MESSAGE))
    writer.close()


async def clients(port, conns, rounds):
    streams = [await asyncio.open_connection("127.0.0.1", port) for _ in range(conns)]
    start = time.perf_counter()
    await asyncio.gather(*(client(r, w, rounds) for r, w in streams))
    return time.perf_counter() - start


async def start_server():
    return await asyncio.start_server(echo, "127.0.0.1", 0, backlog=1024)


async def one_loop(conns, rounds):
    server = await start_server()
    port = server.sockets[0].getsockname()[1]
    elapsed = await clients(port, conns, rounds)
    server.close()
    await server.wait_closed()
    return elapsed


async def serve_forever():
    server = await start_server()
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    echo_common.main(__doc__, __file__, sys.modules[__name__], "echo_streams",
                     "ECHO_STREAMS_ROLE", targets={"uvloop": 2.0, "asyncio": 4.0})
