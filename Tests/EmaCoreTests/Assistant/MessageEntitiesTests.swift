import EmaCore
import Foundation
import Testing

@Suite("What a message names")
struct MessageEntitiesTests {
    static let today = CivilDate(year: 2026, month: 12, day: 7)!  // a Monday

    static func entities(_ text: String) -> MessageEntities {
        MessageEntities.extract(from: text, today: today)
    }

    @Test("A contract number after «contrato», grouped as people write it", arguments: [
        ("hola buenas tardes, es que me llegó muy cara la factura del contrato 1023 4567, quiero reclamar", "10234567"),
        ("mi contrato es el 10.234.567", "10234567"),
        ("Contrato No. 4455-66", "445566"),
        ("cuánto debo del contrato #123456?", "123456"),
    ])
    func contract(text: String, number: String) {
        #expect(Self.entities(text).contract == number)
    }

    @Test("Numbers that are not a contract are not taken for one")
    func notContract() {
        #expect(Self.entities("quiero pagar 45.000 pesos").contract == nil)
        #expect(Self.entities("mi celular es 300 555 0123").contract == nil)
        #expect(Self.entities("el contrato me lo dieron ayer").contract == nil)
        #expect(Self.entities("contrato 12").contract == nil)
    }

    @Test("A radicado, with or without the word")
    func radicado() {
        #expect(Self.entities("cómo va el radicado 2026-0000123").radicado == "2026-0000123")
        #expect(Self.entities("quiero saber de mi solicitud 2026-45").radicado == "2026-0000045")
        #expect(Self.entities("radicado 2026 987").radicado == "2026-0000987")
        #expect(Self.entities("cómo va mi solicitud").radicado == nil)
    }

    @Test("Amounts in pesos as Colombians write them", arguments: [
        ("quiero abonar $45.000", Int64(45_000)),
        ("puedo pagar 120.000 pesos?", 120_000),
        ("tengo 50 mil", 50_000),
        ("me cobraron 1,5 millones", 1_500_000),
        ("abono de $ 80000", 80_000),
        ("$1.234.567,50", 1_234_567),
    ])
    func amount(text: String, value: Int64) {
        #expect(Self.entities(text).amountCOP == value)
    }

    @Test("Dates: written, numeric, relative, a weekday; without a year the nearest one")
    func dates() {
        #expect(Self.entities("un turno para el 15 de diciembre").date == CivilDate(year: 2026, month: 12, day: 15))
        #expect(Self.entities("el 3 de enero").date == CivilDate(year: 2027, month: 1, day: 3))
        #expect(Self.entities("el 10/12/2026 en la mañana").date == CivilDate(year: 2026, month: 12, day: 10))
        #expect(Self.entities("mañana temprano").date == CivilDate(year: 2026, month: 12, day: 8))
        #expect(Self.entities("pasado mañana").date == CivilDate(year: 2026, month: 12, day: 9))
        #expect(Self.entities("el viernes").date == CivilDate(year: 2026, month: 12, day: 11))
        #expect(Self.entities("el lunes").date == CivilDate(year: 2026, month: 12, day: 14))
        #expect(Self.entities("el 31 de febrero").date == nil)
    }

    @Test("Several at once, none mistaken for another")
    func several() {
        let found = Self.entities("del contrato 10234567 me cobraron $230.000 el 2 de noviembre, radicado 2026-0000456")
        #expect(found == MessageEntities(contract: "10234567", radicado: "2026-0000456", amountCOP: 230_000,
                                         date: CivilDate(year: 2026, month: 11, day: 2)))
        #expect(Self.entities("hola").isEmpty)
    }
}

@Suite("Phrases Ema did not understand, masked")
struct PhraseMaskTests {
    @Test("Numbers, e-mails, links and names are replaced by what they are", arguments: [
        ("mi contrato es 1023 4567 y mi cel 300-555-0123", "mi contrato es [número] y mi cel [número]"),
        ("escríbanme a ana.perez@correo.com.co", "escríbanme a [correo]"),
        ("vean www.ejemplo.com/x?y=1 por favor", "vean [enlace] por favor"),
        ("hola me llamo juan camilo pérez y quiero saber algo", "hola me llamo [nombre] y quiero saber algo"),
        ("Ayer vino Carlos Alberto Gómez a cortar el servicio", "Ayer vino [nombre] a cortar el servicio"),
        ("¿Quién es Martha?", "¿Quién es [nombre]?"),
        ("Hola. Buenas tardes", "Hola. Buenas tardes"),
        ("vivo en la calle 45 # 12-30 apto 201", "vivo en la calle [número] apto [número]"),
    ])
    func masked(text: String, expected: String) {
        #expect(PhraseMask.mask(text) == expected)
    }

    @Test("A long phrase is cut")
    func long() {
        let masked = PhraseMask.mask(String(repeating: "palabra ", count: 100))
        #expect(masked.count == PhraseMask.longest && masked.hasSuffix("…"))
    }
}

@Suite("Phrases grouped by resemblance")
struct PhraseGroupsTests {
    @Test("Variants of one question share a group; different questions do not")
    func groups() {
        let texts = [
            "cuanto cuesta el kilovatio",
            "cuánto cuesta el kilovatio hora",
            "a como esta el kilovatio",
            "quien gano el partido",
            "quien gano el partido de ayer",
            "receta de arepas",
        ]
        let groups = PhraseGroups.group(texts)
        #expect(groups.count == 3 || groups.count == 4)
        #expect(groups[0].contains(1))
        #expect(groups.contains { $0.contains(3) && $0.contains(4) })
        #expect(groups.contains { $0 == [5] })
        #expect(!groups.contains { $0.contains(0) && $0.contains(3) })
    }
}
