// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]
// TOMLKit imports Foundation; without this, its String extensions (`contains`, `range(of:)`) leak into every
// module that imports ElegyCore and pull libFoundation and ICU into elegyd (see BENCHMARKS.md, RSS).
let noFoundationLeak: [SwiftSetting] = strict + [.enableUpcomingFeature("MemberImportVisibility")]
// elegyd links the Swift runtime statically (see below), except for sanitizer builds
// (integration/robustness/sanitizers.sh sets ELEGY_DYNAMIC_RUNTIME=1): ThreadSanitizer's libdispatch interceptors
// do not work in a static link.
let staticRuntime = Context.environment["ELEGY_DYNAMIC_RUNTIME"] == nil

let package = Package(
    name: "Elegy",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "elegyd", targets: ["elegyd"]),
        .executable(name: "elegy", targets: ["elegy"]),
    ],
    dependencies: [
        // TOML for curated playlists, moods and the config file.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // The client's subcommands, options, help and shell completions.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The daemon's socket server: event loops, channel pipelines, Unix sockets, fd adoption.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        // Structured logging with a stderr handler that journald understands.
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CALSA", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        // libFLAC's metadata API: the scanner reads FLAC tags without libsndfile's decoder setup (FLACTagReader).
        .systemLibrary(name: "CFLAC", pkgConfig: "flac", providers: [.apt(["libflac-dev"])]),
        // utf8proc: canonical decomposition (NFD) for folding titles and names, instead of the standard library's
        // private `_nfd` (an SPI that may change in any release).
        // No pkgConfig: its .pc file passes -DUTF8PROC_EXPORTS, which SwiftPM refuses with a warning; the header and
        // library are in the default paths.
        .systemLibrary(name: "CUTF8Proc", providers: [.apt(["libutf8proc-dev"])]),
        // statfs(2) from glibc's <sys/vfs.h>, which Swift's Glibc module leaves out: no library to link.
        .systemLibrary(name: "CLinuxFS"),
        // FFmpeg's libavformat/libavcodec (Debian libavformat-dev, libavcodec-dev), the decoder MPD, mpv and cmus use,
        // for what libsndfile cannot read: AAC and ALAC in MP4, WavPack, APE, WMA. A small C loop over its
        // macro-heavy API (packets, planar frames, skip samples); Swift sees open/read/seek/close. Loaded with dlopen
        // on the first file that needs it (not linked): its ~130 dependent libraries, ICU among them, would cost
        // every start time and resident memory.
        .target(
            name: "CElegyFFmpeg",
            cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Werror"])],
            linkerSettings: [.linkedLibrary("dl")]
        ),
        // TagLib (Debian libtag1-dev) for the tags of every format but FLAC (libFLAC reads those): ID3v2.3/2.4 and
        // ID3v1, Vorbis comments in Ogg and Opus, MP4 atoms, APEv2, ASF, all through one property map of MPD-like
        // names. A small C++ file with an extern "C" function; Swift never sees C++.
        .target(name: "CElegyTagLib", linkerSettings: [.linkedLibrary("tag")]),
        // The edge to the OS: XDG paths, file helpers, the failing-C-call error. No dependencies.
        .target(name: "ElegySystem", swiftSettings: strict),
        .target(name: "ElegyCore", dependencies: ["ElegySystem", "TOMLKit", "CUTF8Proc"], swiftSettings: noFoundationLeak),
        .target(name: "ElegyAudio", dependencies: ["ElegyCore", "CALSA", "CSndFile", "CFLAC", "CElegyFFmpeg", "CElegyTagLib"], swiftSettings: strict),
        .target(
            name: "ElegyServer",
            dependencies: [
                "ElegySystem", "ElegyCore", "ElegyAudio", "CLinuxFS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "elegyd",
            dependencies: [
                "ElegySystem", "ElegyCore", "ElegyAudio", "ElegyServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            // Static Swift runtime: only the archive members in use are linked, and with FoundationEssentials
            // alone no libFoundation or ICU (~8 MB resident). -static-stdlib exports every symbol for dlsym;
            // nothing here looks symbols of its own up, and the 12,000-entry table cost ~0.5 MB resident.
            linkerSettings: staticRuntime
                ? [
                    .unsafeFlags(["-static-stdlib", "-Xlinker", "--no-export-dynamic"]),
                    .linkedLibrary("_FoundationCShims"), .linkedLibrary("_FoundationCollections"),
                ] : []
        ),
        .executableTarget(
            name: "elegy",
            dependencies: ["ElegySystem", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "elegy-bench", dependencies: ["ElegyCore", "ElegyAudio", "CALSA", "CSndFile"], path: "bench/Sources/elegy-bench", swiftSettings: strict
        ),
        // In-process protocol fuzzing (fuzz/ElegyFuzz): a seeded replay tool here; libFuzzer with
        // `swift build --sanitize=fuzzer -Xswiftc -DELEGY_FUZZ --product ElegyFuzz --scratch-path .build-fuzz`.
        .executableTarget(
            name: "ElegyFuzz", dependencies: ["ElegyCore"], path: "fuzz/ElegyFuzz", swiftSettings: strict
        ),
        .testTarget(name: "ElegyCoreTests", dependencies: ["ElegyCore", "ElegySystem"], swiftSettings: strict),
        .testTarget(
            name: "ElegyAudioTests", dependencies: ["ElegyAudio", "ElegyCore", "CSndFile"], swiftSettings: strict),
        .testTarget(
            name: "ElegyServerTests",
            dependencies: [
                "ElegyServer", "ElegyCore", "ElegySystem", "CSndFile",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .testTarget(name: "ElegyClientTests", dependencies: ["elegy"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
