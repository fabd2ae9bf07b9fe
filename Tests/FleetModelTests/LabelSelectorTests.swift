import FleetModel
import Testing

/// Kubernetes label selector syntax over tags, with errors that point at the character.
@Suite("Label selectors")
struct LabelSelectorTests {
    static let tags = ["team": "ml", "tier": "web", "example.com/owner": "ana"]

    @Test(arguments: [
        ("team=ml", true), ("team==ml", true), ("team=infra", false),
        ("team!=ml", false), ("team!=infra", true), ("missing!=x", true),
        ("tier in (web,api)", true), ("tier in (db)", false), ("tier notin (db, cache)", true), ("missing notin (x)", true),
        ("team", true), ("!team", false), ("!missing", true), ("missing", false),
        ("team=ml,tier=web", true), ("team=ml, tier in (db)", false), ("example.com/owner=ana", true),
        ("team!=ml,tier", false), ("index=1", false),
    ])
    func matches(_ selector: String, _ expected: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(Self.tags) == expected, "\(selector)")
    }

    /// `team!ml` used to be read as the key `team!` and silently matched nothing.
    @Test(arguments: [
        ("team!ml", 5, "'=', '==', '!=', 'in', 'notin', ',' or the end"),
        ("tier in web", 9, "'('"),
        ("tier in (web", 13, "',' or ')'"),
        ("=ml", 1, "a tag key"),
        ("team=ml,", 9, "a tag key"),
        ("team=ml)", 8, "',' or the end"),
    ])
    func refusesNamingThePosition(_ selector: String, _ position: Int, _ expected: String) {
        #expect(throws: LabelSelectorError(selector: selector, position: position, expected: expected)) { try LabelSelector(parsing: selector) }
    }
}
