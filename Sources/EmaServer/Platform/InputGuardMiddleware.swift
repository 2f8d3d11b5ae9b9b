import Foundation
import MultipartKit
import Vapor

/// The first check of every request, before any route, sign-in or log line sees it:
/// - a path over 4 KB gets 414 and a path segment over 255 characters 404 (no page of Ema has
///   either; the raw path is never logged);
/// - control characters (NUL, escape, …; tab and line breaks are fine) in the query, or in any
///   text field of a form or JSON body, get 400 `control_characters` with a clear message,
///   instead of being stored cut short (a NUL ends a C string) or passed on. File parts of a
///   multipart form are not text and are not read. Webhooks are left to their signature checks.
struct InputGuardMiddleware: Middleware {
    static let maxPathBytes = 4_096
    static let maxSegmentBytes = 255
    /// The largest body Ema takes (a PQR or a report with five 5 MB attachments), on the routes
    /// that take files; any other body is read up to the routes' default of 1 MB (the guard reads
    /// the body before routing, so the route's own limit no longer applies after it).
    static let maxUploadBytes = 27 * 1024 * 1024
    static let maxBodyBytes = 1024 * 1024
    static let uploadPaths: Set<String> = ["/pqr", "/api/v1/pqr", "/transparencia", "/backoffice/pqr/nueva"]
    /// The multipart fields that hold files (not text): PQR attachments, Contacto Transparente's
    /// evidence, with or without an index (`adjuntos`, `adjuntos[]`, `evidencias[0]`).
    static let fileFields: Set<String> = ["adjuntos", "evidencias"]

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let path = request.url.path
        if path.utf8.count > Self.maxPathBytes { return refuse(InputError.pathTooLong, request) }
        if path.split(separator: "/").contains(where: { $0.utf8.count > Self.maxSegmentBytes }) { return refuse(Abort(.notFound), request) }
        if let query = request.url.query, Self.hasControlCharacters(formEncoded: query) { return refuse(InputError.controlCharacters, request) }
        guard !path.hasPrefix("/webhooks/"), [.POST, .PUT, .PATCH].contains(request.method), let type = request.headers.contentType,
              let kind = BodyKind(type)
        else { return next.respond(to: request) }
        let promise = request.eventLoop.makePromise(of: Response.self)
        request.body.collect(max: Self.uploadPaths.contains(path) ? Self.maxUploadBytes : Self.maxBodyBytes).whenComplete { collected in
            switch collected {
            case .failure(let error): promise.completeWith(refuse(error, request))
            case .success(let body?) where Self.hasControlCharacters(body, kind: kind, type: type):
                promise.completeWith(refuse(InputError.controlCharacters, request))
            case .success: promise.completeWith(next.respond(to: request))
            }
        }
        return promise.futureResult
    }

    /// The error answer, in the caller's form (JSON or an HTML page).
    func refuse(_ error: any Error, _ request: Request) -> EventLoopFuture<Response> {
        let promise = request.eventLoop.makePromise(of: Response.self)
        promise.completeWithTask { await ErrorMiddleware.response(for: error, to: request) }
        return promise.futureResult
    }

    enum BodyKind: Equatable {
        case form, json, multipart

        init?(_ type: HTTPMediaType) {
            if type.type == "multipart" && type.subType == "form-data" { self = .multipart }
            else if type == .urlEncodedForm { self = .form }
            else if type.type == "application" && (type.subType == "json" || type.subType.hasSuffix("+json")) { self = .json }
            else { return nil }
        }
    }

    static func hasControlCharacters(_ body: ByteBuffer, kind: BodyKind, type: HTTPMediaType) -> Bool {
        switch kind {
        case .form: return hasControlCharacters(formEncoded: String(buffer: body))
        case .json:
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]) else { return false }
            return hasControlCharacters(json: object)
        case .multipart:
            guard let boundary = type.parameters["boundary"], !boundary.isEmpty else { return false }
            return multipartTextHasControlCharacters(body, boundary: boundary)
        }
    }

    /// `a=1&b=x%00y`: each name and value, decoded (`+` is a space).
    static func hasControlCharacters(formEncoded text: String) -> Bool {
        text.split(separator: "&").contains { pair in
            let decoded = pair.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(pair)
            return hasControlCharacters(decoded)
        }
    }

    static func hasControlCharacters(json: Any) -> Bool {
        switch json {
        case let text as String: hasControlCharacters(text)
        case let array as [Any]: array.contains { hasControlCharacters(json: $0) }
        case let object as [String: Any]: object.contains { hasControlCharacters($0.key) || hasControlCharacters(json: $0.value) }
        default: false
        }
    }

    /// Every part of a multipart form but those of the file fields (`fileFields`), whatever
    /// `filename` a part claims (a text field sent as a "file" is decoded as text all the same);
    /// the headers count too.
    static func multipartTextHasControlCharacters(_ body: ByteBuffer, boundary: String) -> Bool {
        let parser = MultipartParser(boundary: boundary)
        var isFile = false
        var text: [UInt8] = []
        var found = false
        parser.onHeader = { name, value in
            if name.lowercased() == "content-disposition" {
                if let field = fieldName(value), let base = field.split(separator: "[", omittingEmptySubsequences: false).first,
                   fileFields.contains(String(base)) { isFile = true }
                if hasControlCharacters(value) { found = true }
            }
        }
        parser.onBody = { chunk in
            if !isFile { text += chunk.readBytes(length: chunk.readableBytes) ?? [] }
        }
        parser.onPartComplete = {
            if !isFile, hasControlCharacters(String(decoding: text, as: UTF8.self)) { found = true }
            isFile = false
            text = []
        }
        try? parser.execute(body)
        return found
    }

    /// `form-data; name="adjuntos"; filename="a.png"` → `adjuntos`.
    static func fieldName(_ disposition: String) -> String? {
        for parameter in disposition.split(separator: ";") {
            let parts = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0].lowercased() == "name" { return parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    /// C0 controls but tab, line feed and carriage return; DEL; the C1 controls.
    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    static func removingControlCharacters(_ text: String) -> String {
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: text.unicodeScalars.filter { !isControl($0) })
        return String(kept)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }
}

enum InputError: EmaError {
    case pathTooLong
    case controlCharacters

    var status: HTTPResponseStatus {
        switch self {
        case .pathTooLong: .uriTooLong
        case .controlCharacters: .badRequest
        }
    }

    var code: String {
        switch self {
        case .pathTooLong: "path_too_long"
        case .controlCharacters: "control_characters"
        }
    }

    var reason: String {
        switch self {
        case .pathTooLong: "La dirección es demasiado larga. Revísala o vuelve a la página de inicio."
        case .controlCharacters: "El texto enviado tiene caracteres de control que no se pueden guardar (por ejemplo, un carácter nulo). Bórralos, escribe el texto de nuevo y vuelve a enviarlo."
        }
    }
}
