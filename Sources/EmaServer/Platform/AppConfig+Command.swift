import Foundation

extension AppConfig {
    /// Without `EMA_PUBLIC_URL`, the links Ema writes point where `ema serve` listens
    /// (`--hostname`/`-H`, `--port`/`-p`, `--bind`/`-b`; 127.0.0.1:8080 by default), so a demo
    /// served on another port links to itself. An address that listens everywhere (0.0.0.0)
    /// links to 127.0.0.1.
    public mutating func followServeAddress(_ arguments: [String]) {
        guard !publicURLIsSet else { return }
        var host = "127.0.0.1"
        var port = 8080
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : nil
            switch arguments[index] {
            case "--port", "-p":
                port = value.flatMap { Int($0) } ?? port
                index += 1
            case "--hostname", "-H":
                host = value ?? host
                index += 1
            case "--bind", "-b":
                if let value, let colon = value.lastIndex(of: ":") {
                    host = String(value[..<colon])
                    port = Int(value[value.index(after: colon)...]) ?? port
                }
                index += 1
            default:
                break
            }
            index += 1
        }
        if ["", "0.0.0.0", "::", "[::]"].contains(host) { host = "127.0.0.1" }
        publicURL = "http://\(host):\(port)"
    }

    /// True when the command line only asks for help (`--help`, `-h`): nothing may be opened,
    /// created or written for it.
    public static func asksForHelp(_ arguments: [String]) -> Bool {
        arguments.contains("--help") || arguments.contains("-h")
    }

    /// The configuration for printing help: a database in memory that lives and dies with the
    /// process, no workers.
    public mutating func forHelp() {
        database = .sqlite(path: AppConfig.inMemory)
        workersEnabled = false
    }

    /// The SQLite path that means «in memory».
    public static let inMemory = ":memory:"
}
