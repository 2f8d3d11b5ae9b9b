import Vapor

/// The outside services Ema needs, and how each stands on this node: configured (the real
/// provider), the sandbox (only with `--demo` or `EMA_SANDBOX=on`), or not available. Fail
/// closed: a provider left unconfigured in production is never replaced by a sandbox that
/// would, say, let anyone approve a payment.
struct ProviderStatus: Sendable, Equatable {
    enum State: String, Sendable {
        case configured = "configurado"
        case sandbox
        case unavailable = "no_disponible"
    }

    /// `whatsapp`, `sms`, `pagos`.
    let name: String
    /// What customers lose while it is not available, for the start-up log.
    let feature: String
    let state: State
    /// The settings that would configure it.
    let missing: [String]
}

extension Application {
    /// True when the providers' sandboxes stand in for unconfigured ones: `ema serve --demo`,
    /// or `EMA_SANDBOX=on`.
    var sandboxEnabled: Bool { emaConfig.sandbox || isDemo }

    var providers: [ProviderStatus] {
        let config = emaConfig
        func state(_ configured: Bool) -> ProviderStatus.State { configured ? .configured : sandboxEnabled ? .sandbox : .unavailable }
        func missing(_ keys: [(String, Bool)]) -> [String] { keys.filter { !$0.1 }.map(\.0) }
        let whatsApp = config.whatsApp
        let twilio = config.twilio
        return [
            ProviderStatus(
                name: "whatsapp", feature: "respuestas y facturas por WhatsApp", state: state(whatsApp.isConfigured && whatsApp.appSecret != nil),
                missing: missing([("WHATSAPP_ACCESS_TOKEN", whatsApp.accessToken != nil), ("WHATSAPP_PHONE_NUMBER_ID", whatsApp.phoneNumberID != nil),
                                  ("WHATSAPP_APP_SECRET", whatsApp.appSecret != nil), ("WHATSAPP_VERIFY_TOKEN", whatsApp.verifyToken != nil)])
            ),
            ProviderStatus(
                name: "sms", feature: "códigos de verificación y avisos por SMS", state: state(twilio.isConfigured),
                missing: missing([("TWILIO_ACCOUNT_SID", twilio.accountSID != nil), ("TWILIO_AUTH_TOKEN", twilio.authToken != nil), ("TWILIO_FROM", twilio.from != nil)])
            ),
            ProviderStatus(
                name: "pagos", feature: "pago en línea de facturas", state: state(config.wompi.isConfigured),
                missing: config.wompi.isConfigured ? [] : ["WOMPI_PUBLIC_KEY", "WOMPI_INTEGRITY_SECRET", "WOMPI_EVENTS_SECRET"]
            ),
        ]
    }

    /// The start-up lines: the configuration, then, loudly, the sandbox and what is not available.
    func logProviders() {
        logger.info("Ema configurada", metadata: ["config": .string(emaConfig.summary(sandbox: sandboxEnabled))])
        if sandboxEnabled {
            let stand = providers.filter { $0.state == .sandbox }.map(\.name)
            logger.warning("MODO DE PRUEBAS ACTIVO (\(isDemo ? "--demo" : "EMA_SANDBOX=on")): las pasarelas de prueba reemplazan a los proveedores sin configurar (\(stand.isEmpty ? "ninguno" : stand.joined(separator: ", "))). No lo use con clientes reales.")
        }
        for provider in providers where provider.state == .unavailable {
            logger.warning("No disponible: \(provider.feature). Falta configurar \(provider.missing.joined(separator: ", ")).", metadata: ["proveedor": .string(provider.name)])
        }
    }
}
