/// One option of a `<select>` in a page, and whether it comes chosen.
struct SelectOption: Encodable {
    let value: String
    let label: String
    let selected: Bool
}
