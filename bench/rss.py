#!/usr/bin/env python3
"""Idle RSS of elegyd (one or more builds) and mpd on the benchmark library, runs interleaved, and where it goes.

Same protocol as bench/daemon.py's "RSS idle after scan": fresh index, start, wait until the library is
scanned, 2 s to settle, 10 s with no client, then VmRSS and VmHWM from /proc/PID/status and Rss per mapping
from /proc/PID/smaps, grouped into the executable, each shared library, the heap and other anonymous memory.

    python3 bench/rss.py --elegyd NAME=PATH [--elegyd NAME=PATH ...] [--runs 3] [--no-mpd]

Prints, per daemon, the runs and their median (MiB), then the smaps breakdown of the last run. Needs the library
made by bench/library-scan.sh (/tmp/elegy-bench-lib) and, unless --no-mpd, Debian's mpd.
"""

import argparse
import collections
import os
import re
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import MPD, Elegyd, proc_mem  # noqa: E402

MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$")


def smaps_breakdown(pid):
    """{group: KiB}: file mappings by file name, `[heap]`, `[stack]`, and `anonymous` for the rest (malloc arenas,
    thread stacks, mmap'd blocks)."""
    groups = collections.Counter()
    current = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            match = MAPPING.match(line)
            if match:
                name = match.group(2).strip()
                current = os.path.basename(name) if name.startswith("/") else (name or "anonymous")
            elif line.startswith("Rss:"):
                groups[current] += int(line.split()[1])
    return groups


def measure(daemon, songs):
    daemon.forget_index()
    daemon.start()
    daemon.wait_library(songs)
    time.sleep(12)
    rss, hwm = proc_mem(daemon.pid)
    breakdown = smaps_breakdown(daemon.pid)
    daemon.stop()
    return rss, hwm, breakdown


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--elegyd", action="append", default=[], help="NAME=PATH of an elegyd binary")
    parser.add_argument("--playlists", default=os.path.join(os.path.dirname(__file__), "..", "Playlists"))
    parser.add_argument("--library", default="/tmp/elegy-bench-lib")
    parser.add_argument("--songs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-mpd", action="store_true")
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="elegy-rss-bench-")
    daemons = []
    for spec in args.elegyd:
        name, _, path = spec.partition("=")
        work = os.path.join(root, name)
        os.makedirs(work)
        daemon = Elegyd(os.path.abspath(path), os.path.abspath(args.playlists), work, args.library,
                        os.path.join(work, "socket"), os.path.join(root, f"{name}.log"))
        daemon.name = name
        daemons.append(daemon)
    if not args.no_mpd:
        work = os.path.join(root, "mpd")
        os.makedirs(work)
        daemons.append(MPD("null-unsynced", work, args.library, os.path.join(work, "socket"),
                           os.path.join(root, "mpd.log")))

    results = {d.name: [] for d in daemons}
    print(f"(work directory and logs: {root}; load average before: {os.getloadavg()[0]:.2f})", file=sys.stderr)
    for run in range(args.runs):
        for daemon in daemons:
            results[daemon.name].append(measure(daemon, args.songs))
            rss, hwm, _ = results[daemon.name][-1]
            print(f"run {run + 1} {daemon.name}: VmRSS {rss:.1f} MiB, VmHWM {hwm:.1f} MiB", file=sys.stderr)

    print(f"Idle RSS after scanning {args.songs} files, {args.runs} runs interleaved "
          f"(load average after: {os.getloadavg()[0]:.2f})")
    print()
    print("| Daemon | VmRSS idle (MiB), runs | median | VmHWM (MiB), runs | median |")
    print("|---|---|---:|---|---:|")
    for name, runs in results.items():
        rss = [r[0] for r in runs]
        hwm = [r[1] for r in runs]
        print(f"| {name} | {' / '.join(f'{x:.1f}' for x in rss)} | {statistics.median(rss):.1f} "
              f"| {' / '.join(f'{x:.1f}' for x in hwm)} | {statistics.median(hwm):.1f} |")
    for name, runs in results.items():
        breakdown = runs[-1][2]
        print()
        print(f"{name}, last run, Rss per mapping (KiB; groups under 64 KiB summed as 'other'):")
        other = 0
        for group, kib in breakdown.most_common():
            if kib >= 64:
                print(f"  {kib:7d}  {group}")
            else:
                other += kib
        print(f"  {other:7d}  other")
        print(f"  {sum(breakdown.values()):7d}  total")


if __name__ == "__main__":
    main()
