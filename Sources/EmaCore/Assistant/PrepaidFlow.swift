import Foundation

/// «¿Cuál es el PIN de mi recarga?»: to the mobile registered for a prepaid meter (WhatsApp
/// vouches for its sender; elsewhere a number verified by code in this conversation), Ema tells
/// the latest recharges and their PINs; to anyone else, the page that sends that mobile a code.
extension Turn {
    mutating func answerPrepaid(effects: any AssistantEffects) async throws {
        let page = "\(knowledge.publicURL)/prepago"
        if let phone = knownPhone {
            let meters = try await effects.prepaidRecharges(phone: phone)
            if !meters.isEmpty {
                for meter in meters {
                    let lines = meter.recharges.prefix(3).map { "• \($0.when) · \(Money.format(cop: $0.amountCOP)) · \($0.units)\n  PIN: \($0.pin)" }
                    say(lines.isEmpty ? "\(meter.service), medidor \(meter.meter): todavía no tiene recargas registradas."
                        : "\(meter.service), medidor \(meter.meter). Tus últimas recargas:\n" + lines.joined(separator: "\n"))
                }
                say("Digita el PIN en tu medidor tal como aparece. El certificado del medidor lo descargas en \(page).")
                return showMainMenu("¿Te ayudo con algo más?")
            }
        }
        say("Consulta el PIN de tus recargas de energía o agua prepago, y descarga el certificado de tu medidor, en \(page). Por tu seguridad te enviamos un código al celular registrado para el medidor.")
        replies.append(.link(url: page, title: "Consultar mi prepago"))
        showMainMenu("¿Te ayudo con algo más?")
    }
}
