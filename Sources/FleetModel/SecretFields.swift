/// Which fields of a spec document hold secrets: the values of `env` (a Sandbox's `spec.env`, a set's
/// `spec.template.env`, or `env` of a bare spec). Their keys are shown; their values never are, in any
/// diff, plan, event or replacement reason.
public enum SecretFields {
    /// The dotted paths of the secret maps, in every document shape a diff is taken of.
    public static let mapPaths: Set<String> = ["env", "spec.env", "template.env", "spec.template.env"]

    /// Whether `path` is a secret map itself (`spec.env`).
    public static func isSecretMap(_ path: String) -> Bool { mapPaths.contains(path) }

    /// Whether `path` is a secret map or anything inside one (`spec.env.DB_PASSWORD`).
    public static func isSecret(_ path: String) -> Bool {
        mapPaths.contains { path == $0 || path.hasPrefix($0 + ".") }
    }

    /// `value` (a decoded JSON value at `path`) with the value of every secret inside it replaced by
    /// ``FieldChange/hidden``, so that an object added or removed whole can be shown.
    public static func hidingSecrets(in value: Any, at path: String) -> Any {
        if isSecret(path) {
            guard let map = value as? [String: Any], isSecretMap(path) else { return FieldChange.hidden }
            return map.mapValues { _ in FieldChange.hidden }
        }
        guard let object = value as? [String: Any] else { return value }
        var shown = object
        for (key, inner) in object {
            shown[key] = hidingSecrets(in: inner, at: path.isEmpty ? key : "\(path).\(key)")
        }
        return shown
    }
}
