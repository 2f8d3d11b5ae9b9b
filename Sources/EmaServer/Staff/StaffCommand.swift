import Fluent
import Foundation
import Vapor

/// `ema staff create --email E --name N --role R` (the password is read from standard input).
struct StaffCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["create": CreateStaffCommand(), "deactivate": DeactivateStaffCommand()]
    var help: String { "Cuentas del personal del back office" }
}

struct CreateStaffCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "Correo de la persona (su usuario)")
        var email: String?
        @Option(name: "name", help: "Nombre completo")
        var name: String?
        @Option(name: "role", help: "agente, supervisor o administrador")
        var role: String?
    }

    var help: String { "Crea una cuenta del personal; la contraseña se lee de la entrada estándar (una línea)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email, let name = signature.name, let role = signature.role else {
            throw CommandFailure("Uso: echo 'contraseña' | ema staff create --email correo@empresa.co --name \"Nombre Apellido\" --role supervisor")
        }
        let password = Self.readPassword()
        let app = context.application
        try await app.autoMigrate()
        do {
            let account = try await app.staffService().create(email: email, name: name, role: role, password: password)
            context.console.print("Cuenta creada: \(account.email) (\(account.roleValue.title)).")
        } catch let problem as StaffService.Problem {
            throw CommandFailure(problem.description)
        }
    }
}

extension CreateStaffCommand {
    /// One line from standard input; typed at a terminal it is not echoed.
    static func readPassword() -> String {
        guard isatty(STDIN_FILENO) == 1 else { return readLine(strippingNewline: true) ?? "" }
        FileHandle.standardError.write(Data("Contraseña (no se muestra): ".utf8))
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}

struct DeactivateStaffCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "Correo de la cuenta")
        var email: String?
    }

    var help: String { "Desactiva una cuenta del personal y cierra sus sesiones." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let typed = signature.email, let email = StaffService.normalized(email: typed) else {
            throw CommandFailure("Uso: ema staff deactivate --email correo@empresa.co")
        }
        let app = context.application
        try await app.autoMigrate()
        guard let account = try await StaffAccount.query(on: app.db).filter(\.$email == email).first() else {
            throw CommandFailure("No existe una cuenta con el correo \(email).")
        }
        account.active = false
        try await account.save(on: app.db)
        try await StaffSession.query(on: app.db).filter(\.$staff.$id == account.requireID()).delete()
        try await app.staffService().audit(nil, email: email, "cuenta_desactivada", subject: email, detail: "desde la línea de comandos")
        context.console.print("Cuenta desactivada: \(email).")
    }
}
