import Foundation
import Testing

@testable import ElegyCore
import ElegySystem

private let environment = ["HOME": "/home/ann"]

/// The repository root, found from this file's path.
private let repositoryRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // ElegyCoreTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent().path

private func parse(_ toml: String, environment: [String: String] = environment) throws -> (ElegyConfig, [String]) {
    let (config, warnings) = try ElegyConfig.parse(toml: toml, file: "/home/ann/.config/elegy/elegy.toml",
        paths: Paths(environment: environment))
    return (config, warnings)
}

/// The error `toml` gives, or nil (a test failure) if it parses.
private func configError(_ toml: String) -> CatalogError? {
    do {
        _ = try ElegyConfig.parse(toml: toml, file: "/home/ann/.config/elegy/elegy.toml", paths: Paths(environment: environment))
        Issue.record("expected an error for:\n\(toml)")
        return nil
    } catch {
        return error
    }
}

@Suite("Config: defaults and keys")
struct ElegyConfigTests {
    @Test func emptyFileGivesDefaults() throws {
        let (config, warnings) = try parse("")
        #expect(warnings.isEmpty)
        #expect(config == ElegyConfig(musicDirectory: "/home/ann/Music"))
        #expect(config.outputDevice == "default")
        #expect(config.mixer == .software)
        #expect(config.playlistDirectories == [])
        #expect(config.restorePaused)
        #expect(config.maxConnections == 256)
        #expect(config.socketPath == nil)
        #expect(config.pins.isEmpty)
        #expect(config.moods.isEmpty)
    }

    @Test func musicDirectoryDefaultsToXDGMusicDir() throws {
        let (config, _) = try parse("", environment: ["HOME": "/home/ann", "XDG_MUSIC_DIR": "/data/music"])
        #expect(config.musicDirectory == "/data/music")
        let (relative, _) = try parse("", environment: ["HOME": "/home/ann", "XDG_MUSIC_DIR": "music"])
        #expect(relative.musicDirectory == "/home/ann/Music")
        let (tilde, _) = try parse("", environment: ["HOME": "/home/ann", "XDG_MUSIC_DIR": "~/Tunes"])
        #expect(tilde.musicDirectory == "/home/ann/Tunes")
    }

    @Test func everyKeyParses() throws {
        let toml = """
            music_directory = "~/Media/Music"
            playlists = ["~/lists", "/srv/lists"]
            restore_paused = false
            max_connections = 12
            socket = "~/elegy.sock"

            [output]
            device = "hw:1,0"
            mixer = "none"

            [pins]
            "Secret Base ~Kimi ga Kureta Mono~" = "ZONE/Secret Base.flac"
            Unravel = "TK/Unravel.flac"

            [moods.rain]
            description = "Rainy evening"
            include = ["rain", "late-night"]
            exclude = ["war"]
            order = "shuffle"
            volume = 60
            sleep = "45m"

            [moods.calm]
            sleep = 90
            """
        let (config, warnings) = try parse(toml)
        #expect(warnings.isEmpty)
        #expect(config.musicDirectory == "/home/ann/Media/Music")
        #expect(config.playlistDirectories == ["/home/ann/lists", "/srv/lists"])
        #expect(config.restorePaused == false)
        #expect(config.maxConnections == 12)
        #expect(config.socketPath == "/home/ann/elegy.sock")
        #expect(config.outputDevice == "hw:1,0")
        #expect(config.mixer == .disabled)
        #expect(
            config.pins == [
                "Secret Base ~Kimi ga Kureta Mono~": "ZONE/Secret Base.flac", "Unravel": "TK/Unravel.flac",
            ])
        #expect(
            config.moods == [
                Mood(name: "calm", description: "", include: ["calm"], sleepSeconds: 90),
                Mood(
                    name: "rain", description: "Rainy evening", include: ["rain", "late-night"], exclude: ["war"],
                    order: .shuffle, volume: 60, sleepSeconds: 45 * 60),
            ])
    }

    @Test func dottedAndInlineFormsWork() throws {
        let (config, warnings) = try parse("output.device = \"pulse\"\nmoods = { late = { volume = 20 } }\n")
        #expect(warnings.isEmpty)
        #expect(config.outputDevice == "pulse")
        #expect(config.moods == [Mood(name: "late", description: "", include: ["late"], volume: 20)])
    }

    @Test func shippedExampleParsesWithoutWarnings() throws {
        let path = repositoryRoot + "/elegy.example.toml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let (config, warnings) = try ElegyConfig.parse(toml: text, file: path, paths: Paths(environment: environment))
        #expect(warnings.isEmpty)
        #expect(config.musicDirectory == "/home/ann/Music")
        #expect(config.outputDevice == "default")
        #expect(config.mixer == .software)
        #expect(config.restorePaused)
        #expect(config.maxConnections == 256)
        #expect(config.moods.map(\.name) == ["sunday-morning"])
    }

    // MARK: - Errors

    @Test func wrongTypeNamesFileLineAndKey() throws {
        let toml = "# Elegy\nmusic_directory = \"/music\"\n\n[output]\nmixer = \"software\"\n\ndevice = 3\n"
        let error = try #require(configError(toml))
        #expect(error.description == "elegy.toml:7: output.device: expected a string")
        #expect(error.line == 7)
        #expect(error.key == "output.device")

        #expect(configError("restore_paused = \"yes\"\n")?.description
            == "elegy.toml:1: restore_paused: expected true or false")
        #expect(configError("\nplaylists = \"/x\"\n")?.description
            == "elegy.toml:2: playlists: expected an array of strings")
        #expect(configError("playlists = [\"/x\", 2]\n")?.description
            == "elegy.toml:1: playlists: expected an array of strings")
        #expect(configError("output = \"hw:0\"\n")?.description == "elegy.toml:1: output: expected a table")
        #expect(configError("[pins]\n\"Unravel\" = 4\n")?.description
            == "elegy.toml:2: pins.Unravel: expected a string")
        #expect(configError("[pins]\n\"Secret Base\" = \"/abs.flac\"\n")?.description
            == "elegy.toml:2: pins.\"Secret Base\": expected a path relative to music_directory")
        #expect(configError("[moods]\nrain = 3\n")?.description == "elegy.toml:2: moods.rain: expected a table")
    }

    @Test func outOfRangeMaxConnections() throws {
        for value in ["0", "1025", "-3", "\"many\"", "2.5"] {
            let error = try #require(configError("music_directory = \"/m\"\nmax_connections = \(value)\n"))
            #expect(error.description == "elegy.toml:2: max_connections: expected an integer 1-1024")
        }
        for value in [1, 1024] {
            #expect(try parse("max_connections = \(value)").0.maxConnections == value)
        }
    }

    @Test func connectionTimeout() throws {
        #expect(try parse("music_directory = \"/m\"").0.connectionTimeout == 60)
        #expect(try parse("connection_timeout = 5").0.connectionTimeout == 5)
        for value in ["0", "86401", "\"soon\"", "1.5"] {
            let error = try #require(configError("music_directory = \"/m\"\nconnection_timeout = \(value)\n"))
            #expect(error.description == "elegy.toml:2: connection_timeout: expected seconds, an integer 1-86400")
        }
    }

    @Test func maxOutputBufferSize() throws {
        #expect(try parse("music_directory = \"/m\"").0.maxOutputBufferKiB == 131_072)
        #expect(try parse("max_output_buffer_size = 8192").0.maxOutputBufferKiB == 8192)
        for value in ["63", "4194305", "\"8M\""] {
            let error = try #require(configError("music_directory = \"/m\"\nmax_output_buffer_size = \(value)\n"))
            #expect(error.description == "elegy.toml:2: max_output_buffer_size: expected KiB, an integer 64-4194304")
        }
    }

    @Test func badMixerValue() throws {
        let error = try #require(configError("[output]\ndevice = \"default\"\nmixer = \"hardware\"\n"))
        #expect(
            error.description == "elegy.toml:3: output.mixer: expected \"software\" or \"none\", found \"hardware\"")
    }

    @Test func badMoodSleepAndVolume() throws {
        let toml = "[moods.rain]\ninclude = [\"rain\"]\n\n[moods.late]\nsleep = \"soon\"\n"
        let error = try #require(configError(toml))
        #expect(
            error.description
                == "elegy.toml:5: moods.late.sleep: "
                + "expected a duration such as \"90s\", \"30m\", \"1h30m\" or a number of seconds")
        #expect(configError("[moods.rain]\nvolume = 101\n")?.description
            == "elegy.toml:2: moods.rain.volume: expected an integer 0-100")
        #expect(configError("[moods.rain]\norder = \"random\"\n")?.description
            == "elegy.toml:2: moods.rain.order: expected \"curated\" or \"shuffle\", found \"random\"")
    }

    @Test func emptyAndRelativePaths() throws {
        #expect(
            configError("[output]\ndevice = \" \"\n")?.description == "elegy.toml:2: output.device: must not be empty")
        #expect(configError("music_directory = \"Music\"\n")?.description
            == "elegy.toml:1: music_directory: expected an absolute path or one starting with ~/")
        #expect(configError("socket = \"\"\n")?.description
            == "elegy.toml:1: socket: expected an absolute path or one starting with ~/")
        #expect(configError("playlists = [\"lists\"]\n")?.description
            == "elegy.toml:1: playlists: expected an absolute path or one starting with ~/")
    }

    @Test func syntaxErrorCarriesTOMLKitLine() throws {
        let error = try #require(configError("music_directory = \"/m\"\n\n[output]\ndevice = \n"))
        #expect(error.line == 4)
        #expect(error.key == nil)
        #expect(error.description.hasPrefix("elegy.toml:4: "))
    }

    @Test func unknownKeysAreWarningsWithLines() throws {
        let toml = """
            music_directory = "/m"
            volume = 50

            [output]
            device = "default"
            colour = "blue"

            [moods.rain]
            include = ["rain"]
            sleeep = "45m"
            """
        let (config, warnings) = try parse(toml)
        #expect(config.outputDevice == "default")
        #expect(config.moods.map(\.name) == ["rain"])
        #expect(
            warnings == [
                "elegy.toml:2: volume: unknown key, ignored",
                "elegy.toml:6: output.colour: unknown key, ignored",
                "elegy.toml:10: moods.rain.sleeep: unknown key, ignored",
            ])
    }
}
