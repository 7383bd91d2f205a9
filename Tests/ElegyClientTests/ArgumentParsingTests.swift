import ArgumentParser
import Testing

@testable import elegy

/// Parses `arguments` as `elegy` would and returns the subcommand, typed.
private func parse<Command: ParsableCommand>(_ arguments: [String], as type: Command.Type) throws -> Command {
    let command = try Elegy.parseAsRoot(arguments)
    return try #require(command as? Command)
}

/// The exit status ArgumentParser would give for parsing `arguments`, or nil when parsing succeeds.
private func usageFailure(_ arguments: [String]) -> ExitCode? {
    do {
        _ = try Elegy.parseAsRoot(arguments)
        return nil
    } catch {
        return Elegy.exitCode(for: error)
    }
}

@Suite("Argument parsing")
struct ArgumentParsingTests {
    @Test func noArgumentsIsStatus() throws {
        let status = try parse([], as: StatusCommand.self)
        #expect(status.output.json == false)
        #expect(status.connection.socket == nil)
    }

    @Test func defaultSubcommandTakesItsOptions() throws {
        let status = try parse(["--json", "--socket", "/tmp/s"], as: StatusCommand.self)
        #expect(status.output.json)
        #expect(status.connection.socket == "/tmp/s")
    }

    @Test func playWithAndWithoutPosition() throws {
        #expect(try parse(["play"], as: Play.self).position == nil)
        #expect(try parse(["play", "3"], as: Play.self).position == 3)
        #expect(usageFailure(["play", "0"]) == .validationFailure)
        #expect(usageFailure(["play", "x"]) == .validationFailure)
    }

    @Test func negativeSeekAndVolumeAreValuesNotOptions() throws {
        #expect(try parse(["seek", "-10"], as: Seek.self).words == ["-10"])
        #expect(try parse(["seek", "+1:30"], as: Seek.self).words == ["+1:30"])
        #expect(try parse(["volume", "-5", "--socket", "/s"], as: Volume.self).words == ["-5"])
        #expect(try parse(["volume"], as: Volume.self).words.isEmpty)
    }

    @Test func seekAndVolumeValidation() {
        #expect(usageFailure(["seek"]) == .validationFailure)
        #expect(usageFailure(["seek", "1:75"]) == .validationFailure)
        #expect(usageFailure(["seek", "1", "2"]) == .validationFailure)
        #expect(usageFailure(["volume", "101"]) == .validationFailure)
        #expect(usageFailure(["volume", "loud"]) == .validationFailure)
        #expect(usageFailure(["volume", "+5"]) == nil)
    }

    @Test func modes() throws {
        #expect(try parse(["random", "on"], as: ModeCommand<RandomMode>.self).value == .on)
        #expect(try parse(["repeat", "off"], as: ModeCommand<RepeatMode>.self).value == .off)
        #expect(try parse(["single", "oneshot"], as: ModeCommand<SingleMode>.self).value == .oneshot)
        #expect(try parse(["consume", "oneshot"], as: ModeCommand<ConsumeMode>.self).value == .oneshot)
        #expect(try parse(["random"], as: ModeCommand<RandomMode>.self).value == nil)
        #expect(usageFailure(["random", "oneshot"]) == .validationFailure)
        #expect(usageFailure(["repeat", "oneshot"]) == .validationFailure)
        #expect(usageFailure(["random", "maybe"]) == .validationFailure)
    }

    @Test func addNeedsAPath() throws {
        #expect(try parse(["add", "a.flac", "Artist/"], as: Add.self).paths == ["a.flac", "Artist/"])
        #expect(usageFailure(["add"]) == .validationFailure)
    }

    @Test func searchTagIsOptional() throws {
        let plain = try parse(["search", "blue", "bird"], as: Search.self)
        #expect(plain.request.tag == "any")
        #expect(plain.request.query == "blue bird")
        let tagged = try parse(["search", "Artist", "Ikimono", "Gakari"], as: Search.self)
        #expect(tagged.request.tag == "artist")
        #expect(tagged.request.query == "Ikimono Gakari")
        let onlyTagWord = try parse(["search", "title"], as: Search.self)
        #expect(onlyTagWord.request.tag == "any")
        #expect(onlyTagWord.request.query == "title")
        #expect(usageFailure(["search"]) == .validationFailure)
    }

    @Test func sleepValidation() throws {
        #expect(try parse(["sleep", "30m"], as: Sleep.self).duration == "30m")
        #expect(try parse(["sleep"], as: Sleep.self).duration == nil)
        #expect(usageFailure(["sleep", "off"]) == nil)
        #expect(usageFailure(["sleep", "30"]) == .validationFailure)
        #expect(usageFailure(["sleep", "0m"]) == .validationFailure)
    }

    @Test func readCommandsTakeJSON() throws {
        #expect(try parse(["queue", "--json"], as: Queue.self).output.json)
        #expect(try parse(["playlists", "--json"], as: Playlists.self).output.json)
        #expect(try parse(["moods", "--json"], as: Moods.self).output.json)
        #expect(try parse(["search", "x", "--json"], as: Search.self).output.json)
        #expect(try parse(["volume", "--json"], as: Volume.self).after.json)
        let resolve = try parse(["resolve", "tearjerkers", "--json"], as: Resolve.self)
        #expect(resolve.playlist == "tearjerkers")
        #expect(resolve.output.json)
        #expect(try parse(["next", "-q"], as: Next.self).after.quiet)
    }

    @Test func otherSubcommands() throws {
        #expect(try parse(["load", "tearjerkers"], as: Load.self).name == "tearjerkers")
        #expect(try parse(["save", "mine"], as: Save.self).name == "mine")
        #expect(try parse(["mood", "rain"], as: Mood.self).name == "rain")
        #expect(try parse(["update", "--wait"], as: Update.self).wait)
        _ = try parse(["watch"], as: Watch.self)
        _ = try parse(["prev"], as: Prev.self)
        _ = try parse(["toggle"], as: Toggle.self)
        #expect(usageFailure(["load"]) == .validationFailure)
        #expect(usageFailure(["frobnicate"]) == .validationFailure)
    }

    @Test func optionsBeforeTheSubcommand() throws {
        #expect(Elegy.hoistingLeadingOptions(["--socket", "/s", "next"]) == ["next", "--socket", "/s"])
        #expect(Elegy.hoistingLeadingOptions(["--socket=/s", "--json", "queue"]) == ["queue", "--socket=/s", "--json"])
        #expect(Elegy.hoistingLeadingOptions(["--socket", "/s"]) == ["--socket", "/s"])
        #expect(Elegy.hoistingLeadingOptions(["next", "--socket", "/s"]) == ["next", "--socket", "/s"])
        let terminated = Elegy.hoistingLeadingOptions(["--socket", "/s", "add", "--", "-x"])
        #expect(terminated == ["add", "--socket", "/s", "--", "-x"])
        let next = try parse(Elegy.hoistingLeadingOptions(["--socket", "/s", "-q", "next"]), as: Next.self)
        #expect(next.connection.socket == "/s")
        #expect(next.after.quiet)
    }

    @Test func usageErrorsExitWithTwo() {
        #expect(Elegy.execute(["play", "0"]) == 2)
        #expect(Elegy.execute(["volume", "200"]) == 2)
    }
}

@Suite("Socket path")
struct SocketPathTests {
    private func resolve(_ option: String?, _ environment: [String: String]) -> SocketPath {
        SocketPath.resolve(option: option, environment: environment, uid: 1000)
    }

    @Test func precedence() {
        let all = ["ELEGY_SOCKET": "/e", "MPD_HOST": "/m", "XDG_RUNTIME_DIR": "/run/x"]
        #expect(resolve("/o", all).path == "/o")
        #expect(resolve(nil, all).path == "/e")
        #expect(resolve(nil, ["MPD_HOST": "/m", "XDG_RUNTIME_DIR": "/run/x"]).path == "/m")
        #expect(resolve(nil, ["MPD_HOST": "@abstract"]).path == "@abstract")
        #expect(resolve(nil, ["MPD_HOST": "localhost", "XDG_RUNTIME_DIR": "/run/x"]).path == "/run/x/elegy/socket")
        #expect(resolve(nil, ["MPD_HOST": "secret@/m", "XDG_RUNTIME_DIR": "/run/x"]).source == "$XDG_RUNTIME_DIR")
        #expect(resolve(nil, [:]).path == "/run/user/1000/elegy/socket")
        #expect(resolve(nil, ["XDG_RUNTIME_DIR": ""]).path == "/run/user/1000/elegy/socket")
    }

    @Test func sourceIsNamed() {
        #expect(resolve("/o", [:]).source == "--socket")
        #expect(resolve(nil, ["ELEGY_SOCKET": "/e"]).source == "$ELEGY_SOCKET")
        #expect(resolve(nil, ["MPD_HOST": "/m"]).source == "$MPD_HOST")
    }
}
