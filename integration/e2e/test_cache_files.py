"""Where the library index lives: `$XDG_CACHE_HOME/elegy/library.index`. The file it replaces (`index.json`, an older
format no build reads any more) is removed at startup, so that an upgrade leaves no stale megabytes behind."""

from __future__ import annotations

import harness


def test_index_is_written_as_library_index_and_the_former_file_removed(library, tmp_path):
    daemon = harness.Elegyd(tmp_path / "d", library, "null", inherit_env=False)
    former = daemon.cache_home / "elegy" / "index.json"
    former.parent.mkdir(parents=True)
    former.write_bytes(b"elegy-library 6\n" + b"\0" * 4096)
    daemon.start(limit=30)
    try:
        daemon.wait_scanned(limit=60)
        assert not former.exists()
        index = daemon.cache_home / "elegy" / "library.index"
        harness.wait_until(lambda: index.exists(), limit=10, what="the index written")
        assert index.read_bytes().startswith(b"elegy-library 7\n")
    finally:
        daemon.stop()
