#!/usr/bin/env python3
"""The workload of `cargo bench -p asyncio --bench echo_protocol` on Python:
asyncio's and uvloop's protocol echo servers (`asyncio.Protocol`,
`data_received` -> `transport.write`), and clients that are protocols too,
each sending a 1 KiB message, waiting for its whole echo, sending the next,
all connections at once; 1, 10 and 100 connections.

Two layouts, as in the Rust bench: client and server in one event loop, and
the server in a child process (this script again, `--serve LOOP`, printing
its port) with the clients in this process, on the same kind of loop. Only
the round trips are timed (connecting is not); one warm-up run, then the
median of REPS runs, in round trips per second.

    python3.13 runtime/benches/echo_protocol.py [--round-trips N] [--loops asyncio,uvloop] [--ours]

With `--ours`, each case also runs on this crate (the Rust bench binary,
built with `cargo bench --no-run`, in a child process that warms up and
times one run; its own server child for the two-process layout), alternately
with the Python runs, and the ratio ours / Python in round trips per second
is printed: ratios from one run, on a noisy machine.

uvloop is imported, or installed with pip if missing; if that fails, it is
skipped with a message. The loops, cases, timing and `--ours` are
`echo_common.py`'s, shared with `echo_streams.py`.
"""

import asyncio
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the benches
import echo_common  # noqa: E402
from echo_common import MESSAGE  # noqa: E402


class EchoServer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


class EchoClient(asyncio.Protocol):
    def __init__(self, rounds, shared):
        self.rounds_left = rounds
        self.shared = shared
        self.received = 0

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.received += len(data)
        if self.received < len(MESSAGE):
            return
        assert self.received == len(MESSAGE), "one message in flight"
        self.received = 0
        self.rounds_left -= 1
        if self.rounds_left > 0:
            self.transport.write(MESSAGE)
        else:
            self.shared["remaining"] -= 1
            if self.shared["remaining"] == 0:
                self.shared["done"].set()


async def clients(port, conns, rounds):
    loop = asyncio.get_running_loop()
    shared = {"remaining": conns, "done": asyncio.Event()}
    transports = []
    for _ in range(conns):
        transport, _ = await loop.create_connection(
            lambda: EchoClient(rounds, shared), "127.0.0.1", port
        )
        transports.append(transport)
    start = time.perf_counter()
    for t in transports:
        t.write(MESSAGE)
    await shared["done"].wait()
    elapsed = time.perf_counter() - start
    for t in transports:
        t.close()
    return elapsed


async def start_server():
    loop = asyncio.get_running_loop()
    return await loop.create_server(EchoServer, "127.0.0.1", 0, backlog=1024)


async def one_loop(conns, rounds):
    server = await start_server()
    port = server.sockets[0].getsockname()[1]
    elapsed = await clients(port, conns, rounds)
    server.close()
    return elapsed


async def serve_forever():
    server = await start_server()
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    echo_common.main(__doc__, __file__, sys.modules[__name__], "echo_protocol",
                     "ECHO_PROTOCOL_ROLE", targets={"uvloop": 2.0})
