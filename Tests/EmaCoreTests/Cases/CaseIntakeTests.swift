import EmaCore
import Testing

@Suite("A PQR's checks before any lookup")
struct CaseIntakeTests {
    func request(_ type: CaseType = .peticion, description: String = "Necesito una copia de mi factura de octubre.", anonymous: Bool = false,
                 name: String? = "Ana María Ríos", phone: String? = nil, email: String? = nil, municipality: String? = nil,
                 contract: String? = nil, attachments: Int = 0, requiresPlace: Bool = false) -> CaseIntake.Request {
        .init(type: type, description: description, anonymous: anonymous, name: name, phone: phone, email: email, causal: nil, service: nil,
              municipality: municipality, contractNumber: contract, attachments: attachments, requiresPlace: requiresPlace)
    }

    func problem(_ request: CaseIntake.Request, municipalities: [String] = []) -> CaseIntake.Problem? {
        do {
            _ = try CaseIntake(request, municipalities: municipalities)
            return nil
        } catch {
            return error
        }
    }

    @Test("Fields come back cleaned: trimmed story, number in E.164, e-mail in lower case, the municipality as the utility names it")
    func cleaned() throws {
        let intake = try CaseIntake(request(description: "  Necesito una copia de mi factura.  ", phone: " 300 123 4567 ", email: "Ana@Correo.CO",
                                            municipality: "medellin", contract: "  "), municipalities: ["Medellín", "Bello"])
        #expect(intake.description == "Necesito una copia de mi factura.")
        #expect(intake.phone == "+573001234567" && intake.email == "ana@correo.co")
        #expect(intake.municipality == "Medellín" && intake.contractNumber == nil)
    }

    @Test("Each problem is found, the first one a person would fix first")
    func problems() {
        #expect(problem(request(description: "corto")) == .descriptionLength)
        #expect(problem(request(description: "corto", name: nil)) == .descriptionLength)
        #expect(problem(request(name: "Al")) == .nameRequired)
        #expect(problem(request(.reclamo, anonymous: true)) == .anonymousNotAllowed(.reclamo))
        #expect(problem(request(.queja, anonymous: true, name: nil)) == nil)
        #expect(problem(request(phone: "12345")) == .invalidPhone)
        #expect(problem(request(email: "ana@correo")) == .invalidEmail)
        #expect(problem(request(attachments: 6)) == .tooManyAttachments)
        #expect(problem(request(municipality: "Cali"), municipalities: ["Medellín"]) == .unknownMunicipality)
        #expect(problem(request(.reclamo)) == .contractRequired)
        #expect(problem(request(.reclamo, contract: "1234567")) == nil)
        #expect(problem(request(requiresPlace: true)) == .placeRequired)
        #expect(problem(request(municipality: "Bello", requiresPlace: true)) == nil)
    }

    @Test("The public-services term applies to a case about the service")
    func serviceRelated() {
        #expect(CaseIntake.serviceRelated(.peticion, hasContract: false, causal: nil) == false)
        #expect(CaseIntake.serviceRelated(.peticion, hasContract: false, causal: CaseCatalog.unclassified) == false)
        #expect(CaseIntake.serviceRelated(.peticion, hasContract: true, causal: nil))
        #expect(CaseIntake.serviceRelated(.reclamo, hasContract: false, causal: nil))
    }
}
