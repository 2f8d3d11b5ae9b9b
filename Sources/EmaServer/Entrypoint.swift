import Foundation
import Logging
import Vapor

/// The program behind the `ema` executable: the canonical Vapor boot, with Ema's configuration
/// read once from the environment. Exits 1 with a readable message when something is wrong.
public enum Entrypoint {
    public static func main() async {
        var config: AppConfig
        do {
            config = try AppConfig(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            exit(1)
        }
        var env: Environment
        do {
            env = try Environment.detect()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
        config.followServeAddress(env.commandInput.arguments)
        if AppConfig.asksForHelp(env.commandInput.arguments) { config.forHelp() }
        // One-shot commands (import, migrate, …) print their own results; their logs only
        // speak up for warnings unless LOG_LEVEL asks for more.
        let command = env.commandInput.arguments.first ?? "serve"
        let quiet = command != "serve" && ProcessInfo.processInfo.environment["LOG_LEVEL"] == nil
        let level = quiet ? max(config.logLevel, .warning) : config.logLevel
        LoggingSystem.bootstrap { label in
            EmaLogHandler(label: label, level: level, format: config.logFormat)
        }
        let app: Application
        do {
            app = try await Application.make(env)
        } catch {
            FileHandle.standardError.write(Data("No se pudo crear la aplicación: \(error)\n".utf8))
            exit(1)
        }
        app.directory = Self.locateInstallation()
        var failure: (any Error)?
        do {
            try await configure(app, config: config)
            // startup + wait, rather than execute(), so a failed command is reported once, below.
            try await app.startup()
            try await app.running?.onStop.get()
        } catch {
            failure = error
        }
        try? await app.asyncShutdown()
        if let failure {
            FileHandle.standardError.write(Data("\(Self.describe(failure))\n".utf8))
            exit(1)
        }
    }

    /// Views, the utility profile and static files live in `Resources/` and `Public/` at the root of
    /// the checkout. Use the working directory when it is that root; otherwise walk up from the
    /// executable (`.build/release/ema` → the checkout), so `ema` works from any folder.
    static func locateInstallation() -> DirectoryConfiguration {
        let detected = DirectoryConfiguration.detect()
        let marker = "Resources/utility.json"
        if FileManager.default.fileExists(atPath: detected.workingDirectory + marker) { return detected }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(marker).path) {
                return DirectoryConfiguration(workingDirectory: folder.path)
            }
            folder.deleteLastPathComponent()
        }
        return detected
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as CommandFailure: error.description
        case let error as any CustomStringConvertible where !(error is any DebuggableError): "Error: \(error.description)"
        default: "Error: \(String(reflecting: error))"
        }
    }
}
