import EmaCore
import Fluent
import Foundation
import Vapor

/// Wompi (Bancolombia): the customer pays on Wompi's hosted Web Checkout; Wompi notifies
/// `POST /webhooks/wompi` with a signed event, and its API answers what a transaction is.
struct WompiGateway: PaymentGateway {
    let apiURL: String
    let checkoutURL: String
    let credentials: AppConfig.Wompi.Credentials

    var name: String { "wompi" }

    /// SHA-256 hex of reference + amount in cents + currency + integrity secret: Wompi refuses
    /// a checkout whose amount or reference was changed on the way.
    static func integritySignature(reference: String, amountInCents: Int64, currency: String, secret: String) -> String {
        Hex.sha256("\(reference)\(amountInCents)\(currency)\(secret)")
    }

    func checkoutURL(reference: String, amountCOP: Int64, returnURL: String) -> String {
        let cents = Cents.from(cop: amountCOP)
        var components = URLComponents(string: checkoutURL) ?? URLComponents()
        components.queryItems = [
            URLQueryItem(name: "public-key", value: credentials.publicKey),
            URLQueryItem(name: "currency", value: "COP"),
            URLQueryItem(name: "amount-in-cents", value: String(cents)),
            URLQueryItem(name: "reference", value: reference),
            URLQueryItem(name: "signature:integrity", value: Self.integritySignature(reference: reference, amountInCents: cents, currency: "COP", secret: credentials.integritySecret.value)),
            URLQueryItem(name: "redirect-url", value: returnURL),
        ]
        // URLComponents leaves "+" and ":" alone in values; a redirect URL with its own query
        // must arrive whole, so encode what a form would.
        components.percentEncodedQuery = components.percentEncodedQuery?
            .replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? checkoutURL
    }

    struct TransactionEnvelope: Decodable {
        struct Data: Decodable {
            let id: String
            let reference: String
            let amount_in_cents: Int64
            let currency: String
            let status: String
            let payment_method_type: String?
        }
        let data: Data
    }

    func transaction(id: String, client: any Client, database: any Database) async throws -> GatewayTransaction? {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        let uri = URI(string: "\(apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL)/transactions/\(id)")
        let response = try await client.get(uri) { outgoing in
            outgoing.headers.bearerAuthorization = .init(token: credentials.publicKey)
            outgoing.headers.replaceOrAdd(name: .accept, value: "application/json")
        }
        if response.status == .notFound { return nil }
        guard response.status == .ok else { throw PaymentError.gatewayUnavailable }
        let envelope: TransactionEnvelope
        do {
            envelope = try response.content.decode(TransactionEnvelope.self, using: JSONDecoder())
        } catch {
            throw PaymentError.gatewayUnavailable
        }
        return Self.transaction(from: envelope.data)
    }

    static func transaction(from data: TransactionEnvelope.Data) -> GatewayTransaction {
        GatewayTransaction(
            id: data.id, reference: data.reference, amountInCents: data.amount_in_cents, currency: data.currency,
            status: status(data.status), method: data.payment_method_type
        )
    }

    /// Wompi's states: PENDING, APPROVED, DECLINED, VOIDED, ERROR.
    static func status(_ text: String) -> PaymentStatus {
        switch text.uppercased() {
        case "APPROVED": .approved
        case "DECLINED": .declined
        case "VOIDED": .voided
        case "ERROR": .error
        default: .pending
        }
    }

    // MARK: Events

    /// A notice whose checksum matched: the transaction id and the status it reports.
    struct VerifiedEvent: Equatable {
        let event: String
        let transactionID: String
        let status: PaymentStatus
    }

    /// Checks an event's checksum: SHA-256 of the values named in `signature.properties` (paths
    /// inside `data`, in order), then `timestamp`, then the events secret. Compared in
    /// constant time with `signature.checksum` (or the `X-Event-Checksum` header). Nil when the
    /// body is not a well-formed, correctly signed event.
    static func verify(body: Data, headerChecksum: String?, eventsSecret: String) -> VerifiedEvent? {
        guard let root = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let data = root["data"] as? [String: Any],
              let signature = root["signature"] as? [String: Any],
              let properties = signature["properties"] as? [String], !properties.isEmpty, properties.count <= 16,
              let timestamp = scalar(root["timestamp"])
        else { return nil }
        var concatenated = ""
        for path in properties {
            var node: Any? = data
            for key in path.split(separator: ".") {
                node = (node as? [String: Any])?[String(key)]
            }
            guard let value = scalar(node) else { return nil }
            concatenated += value
        }
        let expected = Hex.sha256(concatenated + timestamp + eventsSecret)
        guard let given = (signature["checksum"] as? String) ?? headerChecksum,
              ConstantTime.equals(Array(given.lowercased().utf8), Array(expected.utf8))
        else { return nil }
        guard let transaction = data["transaction"] as? [String: Any],
              let id = transaction["id"] as? String,
              let status = transaction["status"] as? String
        else { return nil }
        return VerifiedEvent(event: root["event"] as? String ?? "", transactionID: id, status: Self.status(status))
    }

    /// A JSON scalar as Wompi writes it into the checksum: strings as they are, whole numbers
    /// without decimals.
    static func scalar(_ value: Any?) -> String? {
        switch value {
        case let string as String: return string
        case let number as NSNumber:
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
            return number.stringValue
        default: return nil
        }
    }
}
