"""What the Python echo benches beside it share (`echo_protocol.py`,
`echo_streams.py`; not a script itself): the event loops (asyncio's, and
uvloop's, installed with pip if missing), the cases (1, 10 and 100
connections; one loop, or the server in a child process), the timing (one
warm-up, then the median of REPS runs, in round trips per second) and the
`--ours` mode, which runs the Rust bench's cases (its binary, built with
`cargo bench --no-run`, in a child process per run) alternately with the
Python ones and prints the ratio ours / Python from the same run.

A script supplies its workload as three coroutine functions:
`one_loop(conns, rounds)` and `clients(port, conns, rounds)` return the
seconds of the round trips alone; `serve_forever()` prints the port of its
server, then serves until killed. Then it calls `main(...)`.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys

MESSAGE = b"x" * 1024
CONNECTIONS = (1, 10, 100)
REPS = 5


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


def rust_bench_binary(bench):
    """Builds the Rust bench `bench` (if needed) and returns its executable."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        ["cargo", "bench", "-p", "asyncio", "--bench", bench,
         "--no-run", "--message-format=json"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == bench:
            return msg["executable"]
    raise SystemExit(f"cargo built no {bench} bench")


class Ours:
    """The Rust bench binary, timing one case per call (see `common::echo`)."""

    def __init__(self, bench, role_var):
        self.binary = rust_bench_binary(bench)
        self.role_var = role_var

    def time(self, layout, conns, rounds):
        role = "time-ours" if layout == "one loop" else "time-ours-two"
        env = dict(os.environ, ECHO_CONNS=str(conns), ECHO_ROUNDS=str(rounds))
        env[self.role_var] = role
        out = subprocess.run([self.binary], env=env, capture_output=True, text=True,
                             check=True)
        return float(out.stdout.strip().splitlines()[-1])


def measure(workload, kind, layout, conns, rounds, port, ours):
    times, our_times = [], []
    for rep in range(REPS + 1):  # rep 0 warms up
        if layout == "one loop":
            t = run(kind, workload.one_loop(conns, rounds))
        else:
            t = run(kind, workload.clients(port, conns, rounds))
        o = ours.time(layout, conns, rounds) if ours else None
        if rep > 0:
            times.append(t)
            our_times.append(o)
    trips = conns * rounds
    median = statistics.median(times)
    line = (f"{kind:<8} {layout:<13} {conns:>3} conn x {rounds:<6} "
            f"{median * 1e3:9.2f} ms  {trips / median:9.0f} round trips/s")
    ratio = None
    if ours:
        o = statistics.median(our_times)
        ratio = median / o
        line += f"  | ours {trips / o:9.0f} round trips/s, ours/{kind} {ratio:5.2f}x"
    print(line, flush=True)
    return ratio


def main(doc, script, workload, bench, role_var, targets=None):
    """Runs the cases of `workload` (a module with `one_loop`, `clients` and
    `serve_forever`) on each loop; `script` is the calling file (run again
    as the server child), `bench` and `role_var` name the Rust bench for
    `--ours`, and `targets` maps a loop to the least ratio ours / it aimed
    at (reported as met or not)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--round-trips", type=int, default=20_000,
                        help="round trips per case, spread over the connections")
    parser.add_argument("--loops", default="asyncio,uvloop")
    parser.add_argument("--ours", action="store_true",
                        help="also run this crate's cases, alternately")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        run(args.serve, workload.serve_forever())
        return
    kinds = args.loops.split(",")
    if "uvloop" in kinds and not have_uvloop():
        kinds.remove("uvloop")
    ours = Ours(bench, role_var) if args.ours else None
    print(f"Python {sys.version.split()[0]}; median of {REPS} runs after a warm-up")
    ratios = {}
    for kind in kinds:
        for conns in CONNECTIONS:
            ratios[kind, "one loop", conns] = measure(
                workload, kind, "one loop", conns, args.round_trips // conns, None, ours)
        child = subprocess.Popen(
            [sys.executable, script, "--serve", kind],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            port = int(child.stdout.readline())
            for conns in CONNECTIONS:
                ratios[kind, "two processes", conns] = measure(
                    workload, kind, "two processes", conns, args.round_trips // conns,
                    port, ours)
        finally:
            child.kill()
            child.wait()
    if ours and targets:
        print("\ntargets, round trips/s ours / Python:")
        for kind in kinds:
            if kind not in targets:
                continue
            got = [r for (k, _, _), r in ratios.items() if k == kind]
            met = sum(r >= targets[kind] for r in got)
            print(f"  >= {targets[kind]:.1f}x {kind}: met in {met} of {len(got)} cases "
                  f"(ratios {min(got):.2f}x to {max(got):.2f}x)")
