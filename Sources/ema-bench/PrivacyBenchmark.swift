// The personal-data benchmark, on PostgreSQL: a conversations table of `--conversations` web
// conversations (default 1M, each a realistic JSON state with a verified number and a short
// transcript), then one holder exercising their rights through `/datos-personales` as a person
// would: the SMS code, the copy of their data (found among all the conversations), and the
// suppression (every capability forgets the number, in one transaction).
import AsyncHTTPClient
import Foundation
import NIOCore

func privacyBenchmark(_ arguments: [String], ema: String) async throws {
    let databaseURL = postgresURL(for: "privacy")
    let sizes = (arguments.option("--conversations") ?? "1000000").split(separator: ",").compactMap { Int($0) }
    // Copies timed, and seconds to wait before timing them (the request's notice and any
    // background job done), so the figure is the copy's alone.
    let copies = Int(arguments.option("--copies") ?? "") ?? 5
    let settle = Double(arguments.option("--settle") ?? "") ?? 0
    let server = try await ServerUnderTest(ema: ema, environment: ["EMA_WORKERS": "on", "DATABASE_URL": databaseURL])
    defer { server.stop() }
    print("ema-bench privacy · Ema on PostgreSQL · \(ProcessInfo.processInfo.activeProcessorCount) cores")
    var seeded = 0
    for (round, size) in sizes.enumerated() {
        let seedStart = ContinuousClock.now
        try seedConversations(from: seeded + 1, to: size, databaseURL: databaseURL)
        seeded = max(seeded, size)
        let mib = try psqlValue(databaseURL, "SELECT pg_total_relation_size('conversations') / 1048576")
        print("\(size) conversations (\(mib) MiB) seeded in \(format(durationSeconds(ContinuousClock.now - seedStart))) s")

        // Each round a holder of its own, with one conversation among the seeded ones.
        let phone = "+57301555\(String(format: "%04d", round))"
        try psql(databaseURL, "UPDATE conversations SET state = replace(state, '\(String(format: "+5730%08d", size))', '\(phone)') WHERE id = 'bench-\(size)'")
        let session = try await verifiedSession(base: server.base, phone: phone, databaseURL: databaseURL)
        let (copyLink, knowSeconds) = try await timedRight(base: server.base, fields: "sesion=\(session)&accion=conocer")
        guard let link = copyLink.range(of: #"/datos-personales/copia/[0-9a-f]{32}"#, options: .regularExpression).map({ String(copyLink[$0]) }) else {
            fail("no copy link in the answer")
        }
        if settle > 0 { try await Task.sleep(for: .seconds(settle)) }
        var copyTimes: [Double] = []
        for _ in 0..<copies {
            let start = ContinuousClock.now
            let response = try await loadClient.execute(HTTPClientRequest(url: server.base + link), timeout: .seconds(120))
            _ = try await response.body.collect(upTo: 1 << 24)
            guard response.status == .ok else { fail("the copy answered \(response.status)") }
            copyTimes.append(durationSeconds(ContinuousClock.now - start))
        }
        let (_, suppressSeconds) = try await timedRight(base: server.base, fields: "sesion=\(session)&accion=suprimir&confirmo=si")
        let left = try psqlValue(databaseURL, "SELECT COUNT(*) FROM conversations WHERE state LIKE '%\(phone)%'")
        print("  know (request + link) \(format(knowSeconds * 1000, 0)) ms · the copy \(percentiles(copyTimes)) over \(copies) · suppress \(format(suppressSeconds * 1000, 0)) ms · conversations left with the number: \(left)")
    }
    print("server peak memory \(peakMemoryMiB(server.process.processIdentifier)) MiB")
}

/// Web conversations bench-N…, each with a verified number (+5730000000NN…) and a transcript of
/// a few lines, about the size a real one has.
func seedConversations(from first: Int, to last: Int, databaseURL: String) throws {
    guard first <= last else { return }
    try psql(databaseURL, """
        INSERT INTO conversations (id, channel, state, version, created_at, updated_at)
        SELECT 'bench-' || g, 'web',
            '{"id":"bench-' || g || '","channel":"web","step":"mainMenu","lastActivity":0,"offered":[],"addressChoices":[],' ||
            '"privacyVersion":"2026-12","termsVersion":"2026-11","verifiedPhone":"+5730' || lpad(g::text, 8, '0') || '",' ||
            '"transcript":[{"who":"cliente","text":"hola"},{"who":"ema","text":"¡Hola! Qué gusto saludarte. ¿En qué te puedo ayudar?"},' ||
            '{"who":"cliente","text":"cuánto debo de la factura del contrato"},{"who":"ema","text":"Tu factura del contrato vence el 15 de diciembre."}]}',
            1, now() - (g % 170) * interval '1 day', now() - (g % 170) * interval '1 day'
        FROM generate_series(\(first), \(last)) AS g;
        ANALYZE conversations
        """)
}

/// The number verified on `/datos-personales`: the code read from the sandbox's SMS.
func verifiedSession(base: String, phone: String, databaseURL: String) async throws -> String {
    let national = String(phone.dropFirst(3))
    _ = try await postForm(base + "/datos-personales/codigo", "celular=\(national)")
    // The code leaves through the SMS outbox (a job), a moment after the answer: wait for it.
    var body = ""
    for _ in 0..<100 where body.isEmpty {
        body = try psqlValue(databaseURL, "SELECT body FROM sandbox_messages WHERE recipient = '\(phone)' ORDER BY created_at DESC LIMIT 1")
        if body.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
    }
    guard let code = body.split(whereSeparator: { !$0.isNumber }).first(where: { $0.count == 6 }) else { fail("no code reached \(phone)") }
    let page = try await postForm(base + "/datos-personales/verificar", "celular=\(national)&codigo=\(code)")
    guard let range = page.range(of: #"name="sesion" value="[^"]+""#, options: .regularExpression) else { fail("the code was not accepted") }
    return String(page[range].dropFirst(#"name="sesion" value=""#.count).dropLast())
        .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
}

func timedRight(base: String, fields: String) async throws -> (String, Double) {
    let start = ContinuousClock.now
    let page = try await postForm(base + "/datos-personales/solicitud", fields)
    return (page, durationSeconds(ContinuousClock.now - start))
}

func postForm(_ url: String, _ fields: String) async throws -> String {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
    request.body = .bytes(ByteBuffer(string: fields))
    let response = try await loadClient.execute(request, timeout: .seconds(300))
    let body = try await response.body.collect(upTo: 1 << 24)
    guard response.status == .ok else { fail("\(url) answered \(response.status)") }
    return String(buffer: body)
}
