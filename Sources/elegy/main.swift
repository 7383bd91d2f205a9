print("elegy: not yet wired")
