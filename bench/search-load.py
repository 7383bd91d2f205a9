#!/usr/bin/env python3
"""`status` latency while other clients search a big library: bench/load.py's `status` measurement, with two
clients looping `search any "memo"` over the 100,000 songs of bench/big.sh's library (its elegyd index in
/tmp/elegy-big-work is reused) instead of load.py's file commands. The searching clients are big.py's FastClient:
load.py's line-by-line client takes longer to read a search's answer than the daemon takes to make it, and would
measure itself. Each elegyd binary given is measured in turn.

    python3 bench/search-load.py BINARY [BINARY ...]"""

import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from big import FastClient  # noqa: E402
from load import measure_status  # noqa: E402

WORK = Path("/tmp/elegy-big-work/elegyd")
MUSIC = Path("/tmp/elegy-big/music")
SECONDS = 8


def searcher(socket_path, stop, counter):
    """Loops the search until `stop`, counting the answers."""
    client = FastClient(socket_path)
    while not stop.is_set():
        client.command('search any "memo"')
        with counter.get_lock():
            counter.value += 1
    client.close()


def run(binary):
    daemon = harness.Elegyd(WORK, MUSIC, "null", binary=binary, playlists=None, log_path=WORK / "search-load.log")
    daemon.start(limit=60)
    try:
        daemon.wait_scanned(limit=600)
        stop = multiprocessing.Event()
        counters = [multiprocessing.Value("i", 0) for _ in range(2)]
        workers = [multiprocessing.Process(target=searcher, args=(str(daemon.socket), stop, counter))
                   for counter in counters]
        for worker in workers:
            worker.start()
        time.sleep(0.5)
        loaded = measure_status(str(daemon.socket), SECONDS)
        stop.set()
        for worker in workers:
            worker.join(120)
    finally:
        daemon.stop(limit=30, strict=False)
    print(f"| {Path(binary).name} | {loaded['n']} | {loaded['p50']:.2f} | {loaded['p99']:.2f} | {loaded['max']:.1f} | "
          f"{sum(counter.value for counter in counters)} |")


if __name__ == "__main__":
    print(f"`status` while two clients loop `search any` over 100,000 songs ({SECONDS} s)\n")
    print("| build | status answered | p50 ms | p99 ms | max ms | searches |")
    print("|---|---:|---:|---:|---:|---:|")
    for binary in sys.argv[1:]:
        run(binary)
