import ElegyCore
import ElegySystem
import Foundation
import Testing

@testable import ElegyServer

private let ann = Paths(environment: ["HOME": "/home/ann"])

@Suite("Settings files: reading what Core parses")
struct SettingsFilesTests {
    @Test func missingFileAtDefaultPathGivesDefaults() throws {
        let home = NSTemporaryDirectory() + "elegy-config-\(UUID().uuidString)"
        let paths = Paths(environment: ["HOME": home])
        let (config, warnings) = try ElegyConfig.load(path: nil, paths: paths)
        #expect(config == ElegyConfig.defaults(paths: paths))
        #expect(warnings.isEmpty)
    }

    @Test func missingExplicitFileIsAnError() throws {
        let path = NSTemporaryDirectory() + "elegy-config-\(UUID().uuidString)/elegy.toml"
        do {
            _ = try ElegyConfig.load(path: path, paths: ann)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == path)
            #expect(error.line == nil)
            #expect(error.description == "elegy.toml: cannot read \(path): No such file or directory")
        }
    }

    @Test func loadsFileAtDefaultPath() throws {
        let root = NSTemporaryDirectory() + "elegy-config-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/elegy", withIntermediateDirectories: true)
        try "[output]\ndevice = 7\n".write(toFile: root + "/elegy/elegy.toml", atomically: true, encoding: .utf8)
        do {
            _ = try ElegyConfig.load(path: nil, paths: Paths(environment: ["HOME": "/home/ann", "XDG_CONFIG_HOME": root]))
            Issue.record("expected an error")
        } catch {
            #expect(error.file == root + "/elegy/elegy.toml")
            #expect(error.description == "elegy.toml:2: output.device: expected a string")
        }
    }

    @Test func catalogDirectoriesLoadInOrderAndSkipMissingOnes() throws {
        let root = NSTemporaryDirectory() + "elegy-catalog-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        let song = "[[songs]]\ntitle = \"t\"\nartist = \"a\"\nanime = \"s\"\nrole = \"ost\"\nmoods = [\"calm\"]\n"
        try "title = \"First\"\n\(song)".write(toFile: root + "/a/list.toml", atomically: true, encoding: .utf8)
        try "[calm]\n".write(toFile: root + "/a/moods.toml", atomically: true, encoding: .utf8)
        try "title = \"Second\"\n\(song)".write(toFile: root + "/b/list.toml", atomically: true, encoding: .utf8)
        try "x".write(toFile: root + "/b/.hidden.toml", atomically: true, encoding: .utf8)
        let catalog = try CuratedCatalog.load(directories: [root + "/a", root + "/missing", root + "/b"])
        #expect(catalog.playlists.map(\.title) == ["Second"])
        #expect(catalog.moods.map(\.name) == ["calm"])
    }

    @Test func unreadableCatalogFileNamesIt() throws {
        let root = NSTemporaryDirectory() + "elegy-catalog-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/list.toml", withIntermediateDirectories: true)
        #expect(throws: CatalogError(file: root + "/list.toml", message: "cannot read: Is a directory")) {
            try CuratedCatalog.load(directories: [root])
        }
    }
}

@Suite("Paths: every XDG rule")
struct PathsTests {
    @Test func defaultsLiveUnderHome() {
        #expect(ann.configFile == "/home/ann/.config/elegy/elegy.toml")
        #expect(ann.stateFile == "/home/ann/.local/state/elegy/state.json")
        #expect(ann.storedPlaylists == "/home/ann/.local/share/elegy/playlists")
        #expect(ann.cacheFile == "/home/ann/.cache/elegy/library.index")
        #expect(ann.musicDirectory == "/home/ann/Music")
        #expect(Paths(environment: ["HOME": "/home/ann"], uid: 1000).socket == "/run/user/1000/elegy/socket")
    }

    @Test func absoluteXDGVariablesWinRelativeOnesAreIgnored() {
        let set = Paths(environment: [
            "HOME": "/home/ann", "XDG_CONFIG_HOME": "/cfg", "XDG_STATE_HOME": "/st", "XDG_DATA_HOME": "/data",
            "XDG_CACHE_HOME": "/cache", "XDG_RUNTIME_DIR": "/run/x", "XDG_MUSIC_DIR": "~/Tunes",
        ])
        #expect(set.configFile == "/cfg/elegy/elegy.toml")
        #expect(set.stateFile == "/st/elegy/state.json")
        #expect(set.storedPlaylists == "/data/elegy/playlists")
        #expect(set.cacheFile == "/cache/elegy/library.index")
        #expect(set.socket == "/run/x/elegy/socket")
        #expect(set.musicDirectory == "/home/ann/Tunes")
        let relative = Paths(environment: ["HOME": "/home/ann", "XDG_CONFIG_HOME": "cfg", "XDG_RUNTIME_DIR": "run"])
        #expect(relative.configFile == "/home/ann/.config/elegy/elegy.toml")
        #expect(relative.runtimeDirectoryFromEnvironment == nil)
    }

    @Test func tildeExpandsUnderHome() {
        #expect(ann.expandingTilde("~") == "/home/ann")
        #expect(ann.expandingTilde("~/Music") == "/home/ann/Music")
        #expect(ann.expandingTilde("~ann/x") == "~ann/x")
        #expect(Paths(environment: ["HOME": "/home/ann/"]).expandingTilde("~/x") == "/home/ann/x")
    }

    @Test func relativeHomeFallsBackToThePasswordDatabase() {
        #expect(Paths(environment: ["HOME": "relative"]).home.hasPrefix("/"))
    }
}
