// The PQR benchmark, on PostgreSQL: a cases table holding `--cases` radicados (default 1M, of
// which `--month-cases` (100k) filed in October 2026, with answers), then filing and lookup
// through the JSON interface at rising concurrency, and the back-office statistics page and
// SSPD export for that month, timed as a supervisor opens them.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

func casesBenchmark(_ arguments: [String], ema: String) async throws {
    let databaseURL = postgresURL(for: "cases")
    let total = Int(arguments.option("--cases") ?? "") ?? 1_000_000
    let month = Int(arguments.option("--month-cases") ?? "") ?? 100_000
    let seconds = Double(arguments.option("--seconds") ?? "") ?? 8
    let levels = (arguments.option("--concurrency") ?? "16,64").split(separator: ",").compactMap { Int($0) }

    // Each request comes from an address of its own (through a trusted proxy): the limits per
    // address (filings, lookups) hold against one client, not against the load of many.
    let server = try await ServerUnderTest(ema: ema, environment: ["EMA_WORKERS": "off", "DATABASE_URL": databaseURL, "EMA_TRUSTED_PROXIES": "127.0.0.1"])
    defer { server.stop() }
    print("ema-bench cases · Ema on PostgreSQL · \(ProcessInfo.processInfo.activeProcessorCount) cores · \(total) cases, \(month) in 2026-10")
    let seedStart = ContinuousClock.now
    try seedCases(total: total, month: month, databaseURL: databaseURL)
    print("seeded \(try psqlValue(databaseURL, "SELECT COUNT(*) FROM cases")) cases in \(format(durationSeconds(ContinuousClock.now - seedStart))) s")

    let run = UUID().uuidString.prefix(8)
    let base = server.base
    for concurrency in levels {
        let filed = try await load(concurrency: concurrency, seconds: seconds) { loop, n in
            var request = HTTPClientRequest(url: base + "/api/v1/pqr")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Forwarded-For", value: clientAddress(loop, n))
            request.body = .bytes(ByteBuffer(string: #"{"type":"queja","description":"La línea de atención no contesta en la tarde.","anonymous":true,"municipality":"Bello","idempotencyKey":"bench-\#(run)-\#(concurrency)-\#(loop)-\#(n)"}"#))
            return request
        }
        print("file    concurrency \(String(concurrency).padding(toLength: 4, withPad: " ", startingAt: 0)) \(Int(Double(filed.latencies.count) / filed.elapsed)) req/s  \(percentiles(filed.latencies))  failures \(filed.failures)")
    }
    for concurrency in levels {
        let found = try await load(concurrency: concurrency, seconds: seconds) { loop, n in
            let sequence = 1 + (loop * 7_919 + n * 104_729) % (total - month)
            var request = HTTPClientRequest(url: base + "/api/v1/pqr/consulta")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Forwarded-For", value: clientAddress(loop, n))
            request.body = .bytes(ByteBuffer(string: #"{"radicado":"2025-\#(String(format: "%07d", sequence))","code":"BENCHK"}"#))
            return request
        }
        print("lookup  concurrency \(String(concurrency).padding(toLength: 4, withPad: " ", startingAt: 0)) \(Int(Double(found.latencies.count) / found.elapsed)) req/s  \(percentiles(found.latencies))  failures \(found.failures)")
    }
    let count = try psqlValue(databaseURL, "SELECT COUNT(*) FROM cases")
    let distinct = try psqlValue(databaseURL, "SELECT COUNT(DISTINCT radicado) FROM cases")
    print("cases after the load: \(count), distinct radicados \(distinct)")

    // The statistics page and the export, as a signed-in supervisor.
    let cookie = try await signIn(base: server.base, email: "supervisor@ema.demo", password: "supervisor-demo-2026")
    for (name, path) in [("statistics page", "/backoffice/pqr-estadisticas?mes=2026-10"), ("SSPD export  ", "/backoffice/pqr-estadisticas/sspd.csv?mes=2026-10")] {
        var times: [Double] = []
        var size = 0
        for _ in 0..<5 {
            var request = HTTPClientRequest(url: server.base + path)
            request.headers.add(name: "Cookie", value: cookie)
            let start = ContinuousClock.now
            let response = try await loadClient.execute(request, timeout: .seconds(120))
            let body = try await response.body.collect(upTo: 1 << 30)
            times.append(durationSeconds(ContinuousClock.now - start))
            guard response.status == .ok else { fail("\(path) answered \(response.status)") }
            size = body.readableBytes
        }
        print("\(name) 2026-10 (\(month) cases): \(percentiles(times)) over 5 requests, \(size / 1024) KiB")
    }
    print("server peak memory \(peakMemoryMiB(server.process.processIdentifier)) MiB")
}

/// A client address per load loop and request: 10.x.y.z.
func clientAddress(_ loop: Int, _ n: Int) -> String {
    let value = (loop &* 1_000_003 &+ n) & 0xFF_FFFF
    return "10.\(value >> 16).\((value >> 8) & 0xFF).\(value & 0xFF)"
}

/// Radicados 2025-0000001… (filed across 2025, all answered) and, after the demo's own radicados
/// of 2026, the October 2026 ones (90 % answered), each with the access code BENCHK; each year's
/// sequence continues after them.
func seedCases(total: Int, month: Int, databaseURL: String) throws {
    func insert(year: Int, count: Int, monthExpression: String) -> String {
        """
        INSERT INTO cases (id, radicado, year, sequence, code_hash, type, causal, service, municipality, segment, channel, anonymous, name,
            description, priority, service_related, status, filed_at, filed_on, due_on, decision, answer, answered_at, answered_on,
            answered_by, business_days_to_answer, answered_on_time, notified_at, notified_on, notification_kind, positive_silence)
        SELECT gen_random_uuid(), r, \(year), n, encode(sha256(convert_to('ema-radicado:' || r || ':BENCHK', 'UTF8')), 'hex'),
            (ARRAY['peticion','queja','reclamo','sugerencia','consulta'])[1 + g % 5], (ARRAY['F102','F103','F120','P303','P315','SIN'])[1 + g % 6],
            (ARRAY['energia','agua','gas','alcantarillado'])[1 + g % 4], (ARRAY['Medellín','Bello','Envigado','Sabaneta','Turbo'])[1 + g % 5],
            (ARRAY['hogares','empresas','gobierno'])[1 + g % 3], (ARRAY['pqr_web','whatsapp','web','oficina','telefono'])[1 + g % 5], false, 'Cliente de prueba',
            'Solicitud sembrada por el benchmark', g % 50 = 0, true, CASE WHEN g % 10 = 0 AND \(year) = 2026 THEN 'en_tramite' ELSE 'respondido' END,
            d::timestamp + interval '9 hours', to_char(d, 'YYYY-MM-DD'), to_char(d + 21, 'YYYY-MM-DD'),
            CASE WHEN g % 10 = 0 AND \(year) = 2026 THEN NULL ELSE 'accede' END,
            CASE WHEN g % 10 = 0 AND \(year) = 2026 THEN NULL ELSE 'Respuesta sembrada por el benchmark.' END,
            CASE WHEN g % 10 = 0 AND \(year) = 2026 THEN NULL ELSE d::timestamp + interval '10 days' END,
            CASE WHEN g % 10 = 0 AND \(year) = 2026 THEN NULL ELSE to_char(d + 10, 'YYYY-MM-DD') END,
            'Agente de prueba', 1 + g % 20, g % 20 < 15,
            CASE WHEN g % 10 = 0 AND \(year) = 2026 THEN NULL ELSE d::timestamp + interval '10 days' END,
            CASE WHEN g % 10 = 0 AND \(year) = 2026 THEN NULL ELSE to_char(d + 10, 'YYYY-MM-DD') END, 'sms', false
        FROM (SELECT g, g + o.base AS n, '\(year)-' || lpad((g + o.base)::text, 7, '0') AS r, \(monthExpression) AS d
              FROM generate_series(1, \(count)) AS g, (SELECT COALESCE(MAX(sequence), 0) AS base FROM cases WHERE year = \(year)) AS o) AS s
        """
    }
    let older = total - month
    try psql(databaseURL, insert(year: 2025, count: older, monthExpression: "DATE '2025-01-02' + (g % 360)"))
    try psql(databaseURL, insert(year: 2026, count: month, monthExpression: "DATE '2026-10-01' + (g % 28)"))
    try psql(databaseURL, "INSERT INTO case_sequences (year, last_number) SELECT year, MAX(sequence) FROM cases GROUP BY year ON CONFLICT (year) DO UPDATE SET last_number = EXCLUDED.last_number; ANALYZE cases")
}

/// Signs in to the back office and returns the session cookie ("name=value").
func signIn(base: String, email: String, password: String) async throws -> String {
    var request = HTTPClientRequest(url: base + "/backoffice/ingresar")
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
    request.headers.add(name: "Origin", value: base)
    let form = "correo=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&clave=\(password)&siguiente=/backoffice"
    request.body = .bytes(ByteBuffer(string: form))
    // The 303 must be read, not followed (the cookie comes with it).
    let response = try await noRedirectClient.execute(request, timeout: .seconds(30))
    guard let cookie = response.headers["set-cookie"].first?.split(separator: ";").first else { fail("sign-in failed: \(response.status)") }
    return String(cookie)
}

/// The peak resident memory of a process (VmHWM), in MiB.
func peakMemoryMiB(_ pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kib = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1])
    else { return 0 }
    return kib / 1024
}

/// A client that reads redirects instead of following them.
let noRedirectClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
