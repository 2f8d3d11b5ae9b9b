import Vapor

extension Application {
    /// The SMS sender the configuration chose: Twilio with credentials; without them, the
    /// sandbox in the demo (or `EMA_SANDBOX=on`), and otherwise none (`SMSError.notConfigured`).
    public var sms: any SMSSender {
        let twilio = emaConfig.twilio
        if let sid = twilio.accountSID, let token = twilio.authToken, let from = twilio.from {
            return TwilioSMSSender(client: client, baseURL: twilio.apiURL, accountSID: sid, authToken: token, from: from, logger: logger)
        }
        if sandboxEnabled { return SandboxSMSSender(database: db, clock: clock, logger: logger) }
        return UnavailableSMSSender()
    }
}

/// No SMS provider: every message is refused at once, and nothing is stored.
struct UnavailableSMSSender: SMSSender {
    func send(to: String, body: String) async throws -> SMSReceipt {
        throw SMSError.notConfigured
    }
}
