"""Another user cannot talk to the daemon: neither through the socket's file modes nor, with those loosened, past
the daemon's SO_PEERCRED check."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import harness

NOBODY = 65534
# Runs as uid 65534: connect, then read whatever the server sends until it closes (or 3 s pass).
PEER = r"""
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(3)
try:
    s.connect(sys.argv[1])
except OSError as error:
    print(json.dumps({"connected": False, "errno": error.errno})); sys.exit(0)
data, end = b"", "timeout"
try:
    s.sendall(b"ping\n")
except OSError as error:
    end = "send errno %d" % error.errno
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            end = "eof"; break
        data += chunk
except socket.timeout:
    end = "timeout"
except OSError as error:
    end = "errno %d" % error.errno
print(json.dumps({"connected": True, "data": data.decode("latin-1"), "end": end}))
"""


def system_python() -> str:
    # The test runner's python may live under /root (0700); uid 65534 needs one it can execute.
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("no python3 for the other user")


def as_nobody(socket_path: Path) -> dict:
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is required")
    result = subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", system_python(), "-c", PEER,
         str(socket_path)],
        capture_output=True, text=True, timeout=20, cwd="/")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def daemon(start_daemon, session_root, library):
    assert os.getuid() != NOBODY
    # Let the other user traverse down to the runtime directory (0711, as /run/user is not).
    os.chmod(session_root, 0o711)
    d = start_daemon(library, "null", name="peer", runtime_mode=0o711)
    os.chmod(d.root, 0o711)
    return d


def test_socket_and_directory_modes(daemon):
    assert (os.stat(daemon.socket.parent).st_mode & 0o777) == 0o700
    assert (os.stat(daemon.socket).st_mode & 0o777) == 0o600


def test_other_uid_cannot_connect_through_the_modes(daemon):
    outcome = as_nobody(daemon.socket)
    assert outcome["connected"] is False, outcome
    assert outcome["errno"] in (errno.EACCES, errno.EPERM), outcome


def test_other_uid_is_refused_by_peer_credentials(daemon):
    # Loosen the modes so that the kernel lets the other user connect: only SO_PEERCRED stands in the way now.
    os.chmod(daemon.socket.parent, 0o711)
    os.chmod(daemon.socket, 0o666)
    try:
        outcome = as_nobody(daemon.socket)
    finally:
        os.chmod(daemon.socket, 0o600)
        os.chmod(daemon.socket.parent, 0o700)
    assert outcome["connected"] is True, outcome
    assert "OK MPD" not in outcome["data"], f"the other uid got a greeting: {outcome}"
    assert "OK" not in outcome["data"].split("\n"), f"the other uid's ping was answered: {outcome}"
    assert outcome["end"] != "timeout", f"the connection was left open: {outcome}"
    assert "another user" in daemon.log_tail(200)
    # The owner is still served.
    with harness.RawClient(daemon.socket) as client:
        assert client.greeting == "OK MPD 0.23.5"
        assert client.command("ping") == ["OK"]
