"""Figures from a run, appended as JSON lines to $ELEGY_ROBUSTNESS_RESULTS (default: no file) for RESULTS.md."""

import json
import os
import time


def record(name, figures):
    path = os.environ.get("ELEGY_ROBUSTNESS_RESULTS")
    if not path:
        return
    with open(path, "a") as out:
        out.write(json.dumps({"test": name, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                              **figures}) + "\n")
