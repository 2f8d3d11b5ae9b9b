import EmaCore
import Foundation
import Vapor

/// Twilio's Messages API: `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP
/// Basic auth (AccountSid:AuthToken), form body `To`, `From`, `Body`; 201 with `sid` and
/// `status` on success, `{"code", "message", "status"}` on error.
struct TwilioSMSSender: SMSSender {
    let client: any Client
    let baseURL: String
    let accountSID: String
    let authToken: Secret
    let from: String
    let logger: Logger

    struct Form: Content {
        let To: String
        let From: String
        let Body: String
    }

    struct Accepted: Decodable {
        let sid: String
        let status: String?
    }

    struct Failure: Decodable {
        let code: Int?
        let message: String?
    }

    func send(to: String, body: String) async throws -> SMSReceipt {
        let uri = URI(string: "\(baseURL)/2010-04-01/Accounts/\(accountSID)/Messages.json")
        var headers = HTTPHeaders()
        headers.basicAuthorization = BasicAuthorization(username: accountSID, password: authToken.value)
        let response: ClientResponse
        do {
            response = try await client.post(uri, headers: headers) { request in
                try request.content.encode(Form(To: to, From: from, Body: body), as: .urlEncodedForm)
                request.timeout = .seconds(15)
            }
        } catch {
            throw SMSError.temporary(status: nil, message: "sin respuesta del proveedor: \(error)")
        }
        let status = Int(response.status.code)
        switch status {
        case 200..<300:
            let accepted = try response.content.decode(Accepted.self)
            logger.info("SMS aceptado por el proveedor", metadata: ["to": .string(Masking.phone(to)), "sid": .string(accepted.sid)])
            return SMSReceipt(providerID: accepted.sid, status: accepted.status ?? "queued")
        case 429, 500...:
            throw SMSError.temporary(status: status, message: (try? response.content.decode(Failure.self))?.message ?? "el proveedor no está disponible")
        default:
            let failure = try? response.content.decode(Failure.self)
            logger.warning("SMS rechazado", metadata: ["to": .string(Masking.phone(to)), "status": "\(status)", "code": "\(failure?.code ?? 0)"])
            throw SMSError.rejected(status: status, code: failure?.code, message: failure?.message ?? "rechazado")
        }
    }
}
