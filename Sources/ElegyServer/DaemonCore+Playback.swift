import ElegyAudio
import ElegyCore

/// Playback, volume and modes.
extension DaemonCore {
    static func addPlaybackCommands(_ add: CommandAdder) {
        add("play", 0...1) { core, arguments, _, _ throws(ProtocolError) in
            let position = try arguments.first.map { text throws(ProtocolError) in try Arguments.parseInt(text) }
            try core.play(position: position.flatMap { $0 < 0 ? nil : $0 })
        }
        add("playid", 0...1) { core, arguments, _, _ throws(ProtocolError) in
            if let text = arguments.first, let id = Int(text), id >= 0 {
                _ = try core.playQueue.play(id: id)
                core.startCurrent()
            } else {
                try core.play(position: nil)
            }
        }
        add("pause", 0...1) { core, arguments, _, _ throws(ProtocolError) in
            let state = core.engine.status.state
            let pause = try arguments.first.map { text throws(ProtocolError) in try Arguments.parseBool(text) }
                ?? (state == .play)
            if state == .stop {
                if !pause { try core.play(position: nil) }
                return
            }
            core.engine.setPaused(pause)
            core.changed(.player)
        }
        add("stop", 0...0) { core, _, _, _ in
            core.engine.stop()
            core.playQueue.stop()
            core.changed(.player)
        }
        add("next", 0...0) { core, _, _, _ throws(ProtocolError) in
            guard core.engine.status.state != .stop, core.playQueue.currentEntry != nil else { throw .notPlaying }
            let paused = core.engine.status.state == .pause
            let hadConsume = core.playQueue.consume.isEnabled
            switch core.playQueue.advance(.userNext) {
            case .play, .pause: core.startCurrent(paused: paused)
            case .stop:
                core.engine.stop()
                core.changed(.player)
            }
            if hadConsume { core.changed(.playlist) }
        }
        add("previous", 0...0) { core, _, _, _ throws(ProtocolError) in
            guard core.engine.status.state != .stop else { throw .notPlaying }
            let paused = core.engine.status.state == .pause
            _ = try core.playQueue.previous()
            core.startCurrent(paused: paused)
        }
        add("seek", 2...2) { core, arguments, _, _ throws(ProtocolError) in
            let position = try Arguments.parseUnsigned(arguments[0])
            guard position < core.playQueue.count else { throw .badSongIndex }
            try core.seek(toPosition: position, time: Arguments.parseSeconds(arguments[1]))
        }
        add("seekid", 2...2) { core, arguments, _, _ throws(ProtocolError) in
            guard let position = core.playQueue.position(ofID: try Arguments.parseUnsigned(arguments[0])) else {
                throw .noSuchSong
            }
            try core.seek(toPosition: position, time: Arguments.parseSeconds(arguments[1]))
        }
        add("seekcur", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            guard core.engine.status.state != .stop, let position = core.playQueue.currentPosition else {
                throw .notPlaying
            }
            let target: Double
            switch try Arguments.parseSeekTime(arguments[0]) {
            case .absolute(let seconds): target = seconds
            case .relative(let delta): target = max(0, core.engine.status.elapsed + delta)
            }
            try core.seek(toPosition: position, time: target)
        }
        add("setvol", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            guard core.settings.softwareMixer else { throw ProtocolError(.system, "problems setting volume") }
            core.engine.setVolume(try Arguments.parseInt(arguments[0], in: 0...100))
            core.changed(.mixer)
        }
        add("volume", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            guard core.settings.softwareMixer else { throw ProtocolError(.system, "problems setting volume") }
            let delta = try Arguments.parseInt(arguments[0], in: -100...100)
            core.engine.setVolume(min(100, max(0, core.engine.status.volume + delta)))
            core.changed(.mixer)
        }
        add("getvol", 0...0) { core, _, _, response in
            if core.settings.softwareMixer { response.field("volume", core.engine.status.volume) }
        }
        add("random", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            core.playQueue.setRandom(try Arguments.parseBool(arguments[0]))
            core.modesChanged()
        }
        add("repeat", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            core.playQueue.repeatMode = try Arguments.parseBool(arguments[0])
            core.modesChanged()
        }
        add("single", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            core.playQueue.single = try Arguments.parseSingleMode(arguments[0])
            core.modesChanged()
        }
        add("consume", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            core.playQueue.consume = try Arguments.parseToggleMode(arguments[0])
            core.modesChanged()
        }
        add("crossfade", 1...1) { _, arguments, _, _ throws(ProtocolError) in
            guard try Arguments.parseUnsigned(arguments[0]) == 0 else {
                throw ProtocolError(.arg, "crossfade is not supported: Elegy plays gaplessly")
            }
        }
        add("mixrampdb", 1...1) { _, _, _, _ in }
        add("mixrampdelay", 1...1) { _, _, _, _ in }
        add("replay_gain_mode", 1...1) { _, arguments, _, _ throws(ProtocolError) in
            guard arguments[0] == "off" else { throw ProtocolError(.arg, "replay gain is not supported") }
        }
        add("replay_gain_status", 0...0) { _, _, _, response in response.field("replay_gain_mode", "off") }
    }

    /// `play [POS]`: start the entry (or resume / restart the current one).
    func play(position: Int?) throws(ProtocolError) {
        let state = engine.status.state
        if position == nil, state == .pause {
            engine.setPaused(false)
            changed(.player)
            return
        }
        if position == nil, state == .play { return }
        guard try playQueue.play(at: position) != nil else { return }
        startCurrent()
    }

    /// Seeks in the current entry, or starts another entry at `time`.
    func seek(toPosition position: Int, time: Double) throws(ProtocolError) {
        let state = engine.status.state
        if position == playQueue.currentPosition, state != .stop {
            engine.seek(to: time)
            changed(.player)
            return
        }
        _ = try playQueue.play(at: position)
        startCurrent(at: time, paused: state == .pause)
    }

    func modesChanged() {
        refreshUpcoming()
        changed(.options)
    }
}
