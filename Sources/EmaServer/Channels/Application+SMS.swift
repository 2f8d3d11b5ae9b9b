import Vapor

extension Application {
    /// The SMS sender the configuration chose: Twilio with credentials, the sandbox without.
    public var sms: any SMSSender {
        let twilio = emaConfig.twilio
        if let sid = twilio.accountSID, let token = twilio.authToken, let from = twilio.from {
            return TwilioSMSSender(client: client, baseURL: twilio.apiURL, accountSID: sid, authToken: token, from: from, logger: logger)
        }
        return SandboxSMSSender(database: db, clock: clock, logger: logger)
    }
}
