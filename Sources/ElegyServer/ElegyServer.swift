/// The daemon side: socket server, command dispatch, library, state.
public enum ElegyServerModule {}
