import Testing
@testable import ElegyServer
