"""Tags of every format, as Debian's MPD reports them: the same files (made here with sox, flac, lame, oggenc,
opusenc, ffmpeg and wavpack, tagged with mutagen) served by MPD and by elegyd, every song record compared tag by
tag, every value of multi-valued tags included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mutagen import apev2, flac, id3, mp4, oggopus, oggvorbis

import harness
from harness.media import run

MBID = {
    "MUSICBRAINZ_ARTISTID": "a74b1b7f-71a5-4011-9441-d0b5e4122711",
    "MUSICBRAINZ_ALBUMID": "0b2c3b0c-2b1f-4d1e-9a6e-0c6a3c9e1f10",
    "MUSICBRAINZ_ALBUMARTISTID": "89ad4ac3-39f7-470e-963a-56509c546377",
    "MUSICBRAINZ_TRACKID": "4d0a5b3e-8c4c-4b6e-a0a1-2f0e6d1b7c22",
    "MUSICBRAINZ_RELEASETRACKID": "c1f0e7d2-5b4a-4a3e-8f6e-1d2c3b4a5f66",
    "MUSICBRAINZ_WORKID": "f2e1d0c9-b8a7-4655-8443-322110fedcba",
}
# The ID3 TXXX descriptions and MP4 freeform names MusicBrainz Picard writes for the IDs above.
MB_NAMES = {
    "MUSICBRAINZ_ARTISTID": "MusicBrainz Artist Id", "MUSICBRAINZ_ALBUMID": "MusicBrainz Album Id",
    "MUSICBRAINZ_ALBUMARTISTID": "MusicBrainz Album Artist Id", "MUSICBRAINZ_RELEASETRACKID": "MusicBrainz Release Track Id",
    "MUSICBRAINZ_WORKID": "MusicBrainz Work Id", "MUSICBRAINZ_TRACKID": "MusicBrainz Track Id",
}
# Keys of a song record that are not tags or are compared separately.
NOT_TAGS = {"file", "Last-Modified", "Format", "Time", "duration", "Pos", "Id"}


def vorbis_tags(tags, track="3", disc="2"):
    """Vorbis comments (FLAC, Ogg, Opus): two ARTIST values, Japanese text, every MPD tag by its comment name."""
    tags["TITLE"] = "悲しみをやさしさに"
    tags["ARTIST"] = ["little by little", "Guest Singer"]
    tags["ARTISTSORT"] = "little by little"
    tags["ALBUM"] = "Naruto Original Soundtrack"
    tags["ALBUMSORT"] = "Naruto OST"
    tags["ALBUMARTIST"] = "Various Artists"
    tags["ALBUMARTISTSORT"] = "Various"
    tags["TRACKNUMBER"] = track
    tags["DISCNUMBER"] = disc
    tags["GENRE"] = ["Anime", "J-Pop"]
    tags["DATE"] = "2003-05-14"
    tags["ORIGINALDATE"] = "2003"
    tags["COMPOSER"] = "Hideki Tomita"
    tags["PERFORMER"] = "Ensemble Tokyo"
    tags["CONDUCTOR"] = "A. Conductor"
    tags["WORK"] = "Naruto"
    tags["GROUPING"] = "Openings"
    tags["COMMENT"] = "third opening"
    tags["LABEL"] = "Sony Music"
    tags["REPLAYGAIN_TRACK_GAIN"] = "-6.50 dB"
    for key, value in MBID.items():
        tags[key] = value


def tag_id3(path: Path, version: int, encoding: int):
    """ID3v2.3 or 2.4 (Latin-1 or UTF-16 text), with TXXX MusicBrainz IDs and a UFID track ID."""
    tags = id3.ID3()
    text = (lambda frame, *values: frame(encoding=encoding, text=list(values)))
    latin = encoding == 0
    tags.add(text(id3.TIT2, "Kanashimi wo Yasashisa ni" if latin else "悲しみをやさしさに"))
    # Two artists: ID3v2.4 stores them NUL-separated; mutagen joins them with "/" for 2.3.
    tags.add(text(id3.TPE1, "little by little", "Guest Singer"))
    tags.add(text(id3.TPE2, "Various Artists"))
    tags.add(text(id3.TALB, "Naruto Original Soundtrack"))
    tags.add(text(id3.TRCK, "3/12"))
    tags.add(text(id3.TPOS, "2/2"))
    tags.add(text(id3.TCON, "Anime"))
    tags.add(text(id3.TDRC, "2003"))
    tags.add(text(id3.TCOM, "Hideki Tomita"))
    tags.add(text(id3.TSOP, "little by little"))
    tags.add(text(id3.TSO2, "Various"))
    tags.add(text(id3.TSOA, "Naruto OST"))
    tags.add(text(id3.TPE3, "A. Conductor"))
    tags.add(text(id3.TIT1, "Openings"))
    tags.add(text(id3.TPUB, "Sony Music"))
    tags.add(id3.COMM(encoding=encoding, lang="eng", desc="", text=["third opening"]))
    for key, name in MB_NAMES.items():
        if key != "MUSICBRAINZ_TRACKID":
            tags.add(id3.TXXX(encoding=encoding, desc=name, text=[MBID[key]]))
    tags.add(id3.UFID(owner="http://musicbrainz.org", data=MBID["MUSICBRAINZ_TRACKID"].encode()))
    tags.add(id3.TXXX(encoding=encoding, desc="REPLAYGAIN_TRACK_GAIN", text=["-6.50 dB"]))
    tags.save(path, v2_version=version)


def tag_mp4(path: Path):
    """MP4 atoms, as iTunes and Picard write them."""
    tags = mp4.MP4(path)
    tags["\xa9nam"] = ["悲しみをやさしさに"]
    tags["\xa9ART"] = ["little by little"]
    tags["aART"] = ["Various Artists"]
    tags["\xa9alb"] = ["Naruto Original Soundtrack"]
    tags["trkn"] = [(3, 12)]
    tags["disk"] = [(2, 2)]
    tags["\xa9gen"] = ["Anime"]
    tags["\xa9day"] = ["2003-05-14"]
    tags["\xa9wrt"] = ["Hideki Tomita"]
    tags["\xa9cmt"] = ["third opening"]
    tags["\xa9grp"] = ["Openings"]
    tags["soar"] = ["little by little"]
    tags["soaa"] = ["Naruto OST"]
    tags["soaA"] = ["Various"]
    for key, name in MB_NAMES.items():
        tags[f"----:com.apple.iTunes:{name}"] = [mp4.MP4FreeForm(MBID[key].encode())]
    tags.save()


def tag_ape(path: Path):
    """APEv2 (WavPack)."""
    tags = apev2.APEv2()
    tags["Title"] = "悲しみをやさしさに"
    tags["Artist"] = "little by little"
    tags["Album Artist"] = "Various Artists"
    tags["Album"] = "Naruto Original Soundtrack"
    tags["Track"] = "3/12"
    tags["Disc"] = "2"
    tags["Genre"] = "Anime"
    tags["Year"] = "2003"
    tags["Composer"] = "Hideki Tomita"
    tags["Comment"] = "third opening"
    tags["MUSICBRAINZ_ALBUMID"] = MBID["MUSICBRAINZ_ALBUMID"]
    tags.save(path)


@pytest.fixture(scope="module")
def tagged_library(session_root) -> Path:
    harness.media.require("sox", "flac", "lame", "oggenc", "opusenc", "ffmpeg", "wavpack")
    root = session_root / "tags-vs-mpd"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    wav = harness.media.synth(root / "tone.wav", 1.5, "sine", "440", "gain", "-6")
    music = root / "music"
    music.mkdir()
    run(["flac", "-s", "-f", "-o", str(music / "vorbis.flac"), str(wav)])
    run(["oggenc", "-Q", "-o", str(music / "vorbis.ogg"), str(wav)])
    run(["opusenc", "--quiet", str(wav), str(music / "vorbis.opus")])
    for name in ("id3v23-latin1", "id3v23-utf16", "id3v24-latin1", "id3v24-utf16", "id3v1-only"):
        run(["lame", "--silent", "--noreplaygain", str(wav), str(music / f"{name}.mp3")])
    run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(wav), "-c:a", "aac", "-b:a", "128k", str(music / "aac.m4a")])
    run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(wav), "-c:a", "alac", str(music / "alac.m4a")])
    run(["wavpack", "-q", "-y", str(wav), "-o", str(music / "ape.wv")])
    # No tags at all, and only some: `list` and `count … group` must treat the missing values as MPD does.
    run(["flac", "-s", "-f", "-o", str(music / "untagged.flac"), str(wav)])
    run(["flac", "-s", "-f", "-T", "ARTIST=Someone", "-T", "TITLE=Another", "-T", "ALBUM=Ninety Nine", "-o",
         str(music / "some-tags.flac"), str(wav)])

    for name, kind, numbers in (("vorbis.flac", flac.FLAC, ("3", "2")), ("vorbis.ogg", oggvorbis.OggVorbis, ("3/12", "2/2")),
                                ("vorbis.opus", oggopus.OggOpus, ("3", "2"))):
        file = kind(music / name)
        vorbis_tags(file, *numbers)
        file.save()
    tag_id3(music / "id3v23-latin1.mp3", 3, 0)
    tag_id3(music / "id3v23-utf16.mp3", 3, 1)
    tag_id3(music / "id3v24-latin1.mp3", 4, 0)
    tag_id3(music / "id3v24-utf16.mp3", 4, 1)
    # ID3v1 only: the fallback when a file has no ID3v2.
    v1 = id3.ID3()
    v1.add(id3.TIT2(encoding=0, text=["Old Tagger"]))
    v1.add(id3.TPE1(encoding=0, text=["Someone"]))
    v1.add(id3.TALB(encoding=0, text=["Ninety Nine"]))
    v1.add(id3.TRCK(encoding=0, text=["7"]))
    v1.add(id3.TDRC(encoding=0, text=["1999"]))
    v1.save(music / "id3v1-only.mp3", v1=2)
    id3.ID3(music / "id3v1-only.mp3").delete(music / "id3v1-only.mp3", delete_v1=False, delete_v2=True)
    tag_mp4(music / "aac.m4a")
    tag_mp4(music / "alac.m4a")
    tag_ape(music / "ape.wv")
    return music


def records(lines: list[str]) -> dict[str, dict[str, list[str]]]:
    """`listallinfo` lines as {file: {tag: [values in order]}}, tags only."""
    songs: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in lines:
        key, _, value = line.partition(": ")
        if key == "file":
            current = songs.setdefault(value, {})
        elif key == "directory":
            current = None
        elif current is not None:
            current.setdefault(key, []).append(value)
    return songs


@pytest.fixture(scope="module")
def servers(tagged_library, start_daemon, session_root):
    """Debian's MPD and elegyd, both serving the tagged library."""
    mpd = harness.ReferenceMPD(session_root / "tags-vs-mpd" / "mpd", tagged_library).start()
    try:
        mpd.update()
        daemon = start_daemon(tagged_library, "null", name="tags")
        yield mpd, daemon
    finally:
        mpd.stop()


@pytest.fixture(scope="module")
def both(servers):
    mpd, daemon = servers
    return records(mpd.command("listallinfo")), records(daemon.command("listallinfo")[:-1])


FILES = ["vorbis.flac", "vorbis.ogg", "vorbis.opus", "id3v23-latin1.mp3", "id3v23-utf16.mp3", "id3v24-latin1.mp3",
         "id3v24-utf16.mp3", "id3v1-only.mp3", "aac.m4a", "alac.m4a", "ape.wv"]


@pytest.mark.parametrize("name", FILES)
def test_every_tag_as_mpd_reports_it(both, name):
    reference, ours = both
    assert name in reference, f"MPD did not index {name}: {sorted(reference)}"
    assert name in ours, f"elegyd did not index {name}: {sorted(ours)}"
    expected = {key: values for key, values in reference[name].items() if key not in NOT_TAGS}
    got = {key: values for key, values in ours[name].items() if key not in NOT_TAGS}
    assert len(expected) >= 5, f"the fixture should give MPD several tags of {name}: {expected}"
    differences = {key: (got.get(key), expected.get(key)) for key in set(got) | set(expected)
                   if got.get(key) != expected.get(key)}
    assert not differences, f"{name}, tag: (elegyd, mpd): {differences}"


@pytest.mark.parametrize("name", ["untagged.flac", "some-tags.flac"])
def test_files_with_few_or_no_tags_get_no_others(both, name):
    """Nothing is guessed from the path: a file without tags has none, as in MPD (Elegy used to fill Title, Artist,
    Album and Track from the file's path)."""
    reference, ours = both
    expected = {key: values for key, values in reference[name].items() if key not in NOT_TAGS}
    got = {key: values for key, values in ours[name].items() if key not in NOT_TAGS}
    assert got == expected, f"{name}: elegyd {got}, mpd {expected}"


@pytest.mark.parametrize("name", FILES)
def test_duration_and_format_as_mpd_reports_them(both, name):
    reference, ours = both
    rate, bits, channels = ours[name]["Format"][0].split(":")
    mpd_rate, mpd_bits, mpd_channels = reference[name]["Format"][0].split(":")
    assert (rate, channels) == (mpd_rate, mpd_channels)
    # The bits of a lossy stream are the decoder's choice (MPD's libmad gives 24, its opus plugin 16, Elegy's
    # decoders float); a lossless file's are the file's own.
    if name.endswith((".flac", ".wv")) or name == "alac.m4a":
        assert bits == mpd_bits
    assert ours[name]["Time"] == reference[name]["Time"]
    # Lossy durations may differ by a frame's worth of milliseconds between FFmpeg/libsndfile and MPD's decoders.
    assert abs(float(ours[name]["duration"][0]) - float(reference[name]["duration"][0])) <= 0.05


QUERIES = [
    "list date", "list artist", "list albumartist", "list album", "list genre", "list albumartistsort",
    "list album group albumartist", "list album group date group artist", "list title artist Someone",
    "list genre group albumartist", "count group artist", "count group albumartist", "count group date",
    "count artist Someone", 'count album "Ninety Nine" group title', "count group genre", "list title",
    "list title group album", "list track", "count group title",
]


@pytest.mark.parametrize("query", QUERIES)
def test_list_and_count_answer_as_mpd_does(servers, query):
    """Every line the same, in the same order: grouping, empty values of songs without the tag, fallbacks."""
    mpd, daemon = servers
    mpd.assert_same_answer(daemon, query)


# untagged.flac is left out: with no Track, Title or ArtistSort it ties with some-tags.flac, and without a sort
# MPD lists it first, in an order of its database's own that this small library does not pin down (elegyd lists by
# URI). The sort keys of the other files are distinct, so their order is the sort's alone: where songs tie
# (AlbumArtist, Disc, Album and Last-Modified in this library), MPD's stable sort keeps that visit order
# (whole-library order is compared by bench/big.py).
_TAGGED = "\"(!(file == 'untagged.flac'))\""
SORTED_QUERIES = [f"find {_TAGGED} {tail}" for tail in (
    "sort Title", "sort -Title", "sort Track", "sort -Track", "sort ArtistSort window 2:5", "window 0:3",
    "sort Date window 3:", "sort -Title window 1:4",
)]


@pytest.mark.parametrize("query", SORTED_QUERIES)
def test_sort_and_window_as_mpd_does(servers, query):
    """The same files in the same order: sort values with their fallbacks, Track by number, descending with '-',
    then the window."""
    mpd, daemon = servers
    files = lambda lines: [line for line in lines if line.startswith("file: ")]  # noqa: E731
    expected = mpd.command(query)
    got = daemon.command(query)
    assert got[-1] == "OK", got
    assert files(got) == files(expected), f"elegyd: {files(got)}\nmpd:    {files(expected)}"


def test_unknown_sort_tag_is_refused_as_by_mpd(servers):
    mpd, daemon = servers
    query = f"find {_TAGGED} sort Bogus"
    with pytest.raises(harness.client.Ack) as refused:
        mpd.command(query)
    got = daemon.command(query)
    assert got == ["ACK [2@0] {find} Unknown sort tag"]
    assert got[0] in str(refused.value)
