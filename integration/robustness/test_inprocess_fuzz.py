"""The in-process protocol fuzzer (fuzz/ElegyFuzz) in its plain build: seeded random inputs through RequestFramer,
Request.parse, ConnectionSession and the argument parsers, each fed in six chunkings that must agree.
(libFuzzer build: see fuzz/README.md.)"""

import os
import subprocess
import time

import pytest

import harness
import results


def test_inprocess_protocol_fuzz(elegyd_binary, seed, long_mode):
    binary = os.path.join(os.path.dirname(elegyd_binary), "ElegyFuzz")
    if not os.access(binary, os.X_OK):
        binary = str(harness.BIN_DIR / "ElegyFuzz")
    if not os.access(binary, os.X_OK):
        pytest.fail(f"ElegyFuzz not built next to {elegyd_binary}: run `swift build`", pytrace=False)
    cases = 200_000 if long_mode else 10_000
    began = time.monotonic()
    run = subprocess.run([binary, "--cases", str(cases), "--seed", str(seed)], capture_output=True, text=True,
                         timeout=600)
    seconds = time.monotonic() - began
    assert run.returncode == 0, f"ElegyFuzz failed (seed {seed}):\n{run.stdout}\n{run.stderr[-3000:]}"
    print("\n" + run.stdout.strip(), f"in {seconds:.1f} s")
    results.record("inprocess_fuzz", {"seed": seed, "cases": cases, "seconds": round(seconds, 1)})
