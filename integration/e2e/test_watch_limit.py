"""auto_update past the inotify watch limit: elegyd says so once in the log and in `status`, watches what it can,
and a manual `update` still finds what changed where it could not watch.

The limit is real, lowered for this daemon only: elegyd runs in a user namespace of its own (`unshare -U -r`), whose
inotify watch limit (/proc/sys/user/max_inotify_watches) is set to 20 there, while the library has 31 directories.
"""

from __future__ import annotations

import stat
import time

from harness import media
import harness

WATCH_LIMIT = 20
LIMIT_MESSAGE = "the inotify watch limit is reached"


def test_watch_limit_is_reported_once_and_update_still_works(tmp_path):
    music = tmp_path / "music"
    template = media.write_flac(tmp_path / "template.flac", 0.05, title="Template", artist="Nobody")
    for artist in range(3):
        for album in range(10):
            folder = music / f"Artist {artist}" / f"Album {album}"
            folder.mkdir(parents=True)
            (folder / "01 - Song.flac").write_bytes(template.read_bytes())
    wrapper = tmp_path / "elegyd-limited"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"exec unshare -U -r sh -c 'echo {WATCH_LIMIT} > /proc/sys/user/max_inotify_watches && exec \"$0\" \"$@\"' "
        f"'{harness.ELEGYD}' \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    daemon = harness.Elegyd(tmp_path / "daemon", music, "null", binary=wrapper, verbose=True, inherit_env=False)
    try:
        daemon.start(limit=30)
        daemon.wait_scanned(limit=60)
        conn = daemon.connect()
        assert int(conn.fields("stats")["songs"]) == 30
        deadline = time.monotonic() + harness.scaled(10)
        while LIMIT_MESSAGE not in daemon.log_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert daemon.log_text().count(LIMIT_MESSAGE) == 1, daemon.log_tail()
        assert conn.fields("status").get("elegy_auto_update") == "watch limit reached"

        # A directory past the limit (the walk watches in no fixed order: every album gets a file), then `update`.
        for artist in range(3):
            for album in range(10):
                (music / f"Artist {artist}" / f"Album {album}" / "02 - New.flac").write_bytes(template.read_bytes())
        conn.ok("update")
        daemon.wait_status(lambda s: "updating_db" not in s, limit=30, what="the update")
        deadline = time.monotonic() + harness.scaled(10)
        while int(conn.fields("stats")["songs"]) != 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert int(conn.fields("stats")["songs"]) == 60
        # Still said once, however many directories were added past the limit since.
        assert daemon.log_text().count(LIMIT_MESSAGE) == 1, daemon.log_tail()
        conn.close()
    finally:
        daemon.stop(strict=False)
