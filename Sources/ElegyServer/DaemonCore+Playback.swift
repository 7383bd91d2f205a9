import ElegyAudio
import ElegyCore

/// Playback, volume and modes.
extension DaemonCore {
    static func addPlaybackCommands(_ add: CommandAdder) {
        add("play", 0...1) { context throws(ProtocolError) in
            let position = try context.arguments.first.map { text throws(ProtocolError) in try Arguments.parseInt(text) }
            try context.core.player.play(position: position.flatMap { $0 < 0 ? nil : $0 })
        }
        add("playid", 0...1) { context throws(ProtocolError) in
            if let text = context.arguments.first, let id = Int(text), id >= 0 {
                _ = try context.core.player.queue.play(id: id)
                context.core.player.startCurrent()
            } else {
                try context.core.player.play(position: nil)
            }
        }
        add("pause", 0...1) { context throws(ProtocolError) in
            let state = context.core.engine.status.state
            let pause = try context.arguments.first.map { text throws(ProtocolError) in try Arguments.parseBool(text) }
                ?? (state == .play)
            if state == .stop {
                if !pause { try context.core.player.play(position: nil) }
                return
            }
            context.core.engine.setPaused(pause)
            context.core.changed(.player)
        }
        add("stop", 0...0) { context in
            context.core.engine.stop()
            context.core.player.queue.stop()
            context.core.changed(.player)
        }
        add("next", 0...0) { context throws(ProtocolError) in
            guard context.core.engine.status.state != .stop, context.core.player.queue.currentEntry != nil else { throw .notPlaying }
            let paused = context.core.engine.status.state == .pause
            let hadConsume = context.core.player.queue.consume.isEnabled
            switch context.core.player.queue.advance(.userNext) {
            case .play, .pause: context.core.player.startCurrent(paused: paused)
            case .stop:
                context.core.engine.stop()
                context.core.changed(.player)
            }
            if hadConsume { context.core.changed(.playlist) }
        }
        add("previous", 0...0) { context throws(ProtocolError) in
            guard context.core.engine.status.state != .stop else { throw .notPlaying }
            let paused = context.core.engine.status.state == .pause
            _ = try context.core.player.queue.previous()
            context.core.player.startCurrent(paused: paused)
        }
        add("seek", 2...2) { context throws(ProtocolError) in
            let position = try Arguments.parseUnsigned(context.arguments[0])
            guard position < context.core.player.queue.count else { throw .badSongIndex }
            try context.core.player.seek(toPosition: position, time: Arguments.parseSeconds(context.arguments[1]))
        }
        add("seekid", 2...2) { context throws(ProtocolError) in
            guard let position = context.core.player.queue.position(ofID: try Arguments.parseUnsigned(context.arguments[0])) else {
                throw .noSuchSong
            }
            try context.core.player.seek(toPosition: position, time: Arguments.parseSeconds(context.arguments[1]))
        }
        add("seekcur", 1...1) { context throws(ProtocolError) in
            guard context.core.engine.status.state != .stop, let position = context.core.player.queue.currentPosition else {
                throw .notPlaying
            }
            let target: Double
            switch try Arguments.parseSeekTime(context.arguments[0]) {
            case .absolute(let seconds): target = seconds
            case .relative(let delta): target = max(0, context.core.engine.status.elapsed + delta)
            }
            try context.core.player.seek(toPosition: position, time: target)
        }
        add("setvol", 1...1) { context throws(ProtocolError) in
            guard context.core.settings.softwareMixer else { throw ProtocolError(.system, "problems setting volume") }
            context.core.engine.setVolume(try Arguments.parseInt(context.arguments[0], in: 0...100))
            context.core.changed(.mixer)
        }
        add("volume", 1...1) { context throws(ProtocolError) in
            guard context.core.settings.softwareMixer else { throw ProtocolError(.system, "problems setting volume") }
            let delta = try Arguments.parseInt(context.arguments[0], in: -100...100)
            context.core.engine.setVolume(min(100, max(0, context.core.engine.status.volume + delta)))
            context.core.changed(.mixer)
        }
        add("getvol", 0...0) { context in
            if context.core.settings.softwareMixer { context.response.field("volume", context.core.engine.status.volume) }
        }
        add("random", 1...1) { context throws(ProtocolError) in
            context.core.player.queue.setRandom(try Arguments.parseBool(context.arguments[0]))
            context.core.player.modesChanged()
        }
        add("repeat", 1...1) { context throws(ProtocolError) in
            context.core.player.queue.repeatMode = try Arguments.parseBool(context.arguments[0])
            context.core.player.modesChanged()
        }
        add("single", 1...1) { context throws(ProtocolError) in
            context.core.player.queue.single = try Arguments.parseSingleMode(context.arguments[0])
            context.core.player.modesChanged()
        }
        add("consume", 1...1) { context throws(ProtocolError) in
            context.core.player.queue.consume = try Arguments.parseToggleMode(context.arguments[0])
            context.core.player.modesChanged()
        }
        add("crossfade", 1...1) { context throws(ProtocolError) in
            guard try Arguments.parseUnsigned(context.arguments[0]) == 0 else {
                throw ProtocolError(.arg, "crossfade is not supported: Elegy plays gaplessly")
            }
        }
        add("mixrampdb", 1...1) { _ in }
        add("mixrampdelay", 1...1) { _ in }
        add("replay_gain_mode", 1...1) { context throws(ProtocolError) in
            guard context.arguments[0] == "off" else { throw ProtocolError(.arg, "replay gain is not supported") }
        }
        add("replay_gain_status", 0...0) { context in context.response.field("replay_gain_mode", "off") }
    }

}
