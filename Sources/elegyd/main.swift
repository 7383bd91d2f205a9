print("elegyd: not yet wired")
