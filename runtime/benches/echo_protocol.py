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
skipped with a message.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

MESSAGE = b"x" * 1024
CONNECTIONS = (1, 10, 100)
REPS = 5


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


def new_loop(kind):
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run(kind, coro):
    loop = new_loop(kind)
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def have_uvloop():
    try:
        import uvloop  # noqa: F401

        return True
    except ImportError:
        pass
    print("uvloop missing: pip install uvloop ...", flush=True)
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "uvloop"],
        capture_output=True,
        text=True,
    )
    if pip.returncode != 0:
        print("uvloop skipped: pip install failed:", pip.stderr.strip()[-300:])
        return False
    try:
        import uvloop  # noqa: F401

        return True
    except ImportError as e:
        print("uvloop skipped: installed but cannot be imported:", e)
        return False


def rust_bench_binary():
    """Builds the Rust bench (if needed) and returns its executable."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        ["cargo", "bench", "-p", "asyncio", "--bench", "echo_protocol",
         "--no-run", "--message-format=json"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == "echo_protocol":
            return msg["executable"]
    raise SystemExit("cargo built no echo_protocol bench")


def time_ours(binary, layout, conns, rounds):
    role = "time-ours" if layout == "one loop" else "time-ours-two"
    env = dict(os.environ, ECHO_PROTOCOL_ROLE=role,
               ECHO_CONNS=str(conns), ECHO_ROUNDS=str(rounds))
    out = subprocess.run([binary], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def measure(kind, layout, conns, rounds, port, ours_binary):
    times, ours = [], []
    for rep in range(REPS + 1):  # rep 0 warms up
        if layout == "one loop":
            t = run(kind, one_loop(conns, rounds))
        else:
            t = run(kind, clients(port, conns, rounds))
        o = time_ours(ours_binary, layout, conns, rounds) if ours_binary else None
        if rep > 0:
            times.append(t)
            ours.append(o)
    trips = conns * rounds
    median = statistics.median(times)
    line = (f"{kind:<8} {layout:<13} {conns:>3} conn x {rounds:<6} "
            f"{median * 1e3:9.2f} ms  {trips / median:9.0f} round trips/s")
    if ours_binary:
        o = statistics.median(ours)
        line += f"  | ours {trips / o:9.0f} round trips/s, ours/{kind} {median / o:5.2f}x"
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--round-trips", type=int, default=20_000,
                        help="round trips per case, spread over the connections")
    parser.add_argument("--loops", default="asyncio,uvloop")
    parser.add_argument("--ours", action="store_true",
                        help="also run this crate's cases, alternately")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        run(args.serve, serve_forever())
        return
    kinds = args.loops.split(",")
    if "uvloop" in kinds and not have_uvloop():
        kinds.remove("uvloop")
    ours_binary = rust_bench_binary() if args.ours else None
    print(f"Python {sys.version.split()[0]}; median of {REPS} runs after a warm-up")
    for kind in kinds:
        for conns in CONNECTIONS:
            measure(kind, "one loop", conns, args.round_trips // conns, None, ours_binary)
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            port = int(child.stdout.readline())
            for conns in CONNECTIONS:
                measure(kind, "two processes", conns, args.round_trips // conns, port,
                        ours_binary)
        finally:
            child.kill()
            child.wait()


if __name__ == "__main__":
    main()
