import Foundation
import Logging
import Vapor

/// The program behind the `ema` executable: the canonical Vapor boot, with Ema's configuration
/// read once from the environment. Exits 1 with a readable message when something is wrong.
public enum Entrypoint {
    public static func main() async {
        let config: AppConfig
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
        LoggingSystem.bootstrap { label in
            EmaLogHandler(label: label, level: config.logLevel, format: config.logFormat)
        }
        let app: Application
        do {
            app = try await Application.make(env)
        } catch {
            FileHandle.standardError.write(Data("No se pudo crear la aplicación: \(error)\n".utf8))
            exit(1)
        }
        var failure: (any Error)?
        do {
            try await configure(app, config: config)
            try await app.execute()
        } catch {
            failure = error
        }
        try? await app.asyncShutdown()
        if let failure {
            FileHandle.standardError.write(Data("\(Self.describe(failure))\n".utf8))
            exit(1)
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as CommandFailure: error.description
        case let error as any CustomStringConvertible where !(error is any DebuggableError): "Error: \(error.description)"
        default: "Error: \(String(reflecting: error))"
        }
    }
}
