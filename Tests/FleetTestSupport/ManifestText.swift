import FleetModel

/// Manifests as tests write them: YAML text for the common resources, and parsed pairs ready to apply.
public enum ManifestText {
    /// A sandbox set of `replicas` running `sleep infinity`.
    public static func set(_ name: String, replicas: Int, image: String = "python:3.12-slim") -> String {
        "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: \(name)\nspec:\n  replicas: \(replicas)\n  template:\n    image: \(image)\n    command: [\"sleep\", \"infinity\"]\n"
    }

    /// A sandbox running `sleep infinity`, optionally mounting `volume` at /mnt/data.
    public static func sandbox(_ name: String, image: String = "python:3.12-slim", mounting volume: String? = nil) -> String {
        var text = "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: \(name)\nspec:\n  image: \(image)\n  command: [\"sleep\", \"infinity\"]\n"
        if let volume { text += "  volume_mounts: {/mnt/data: \(volume)}\n" }
        return text
    }

    /// The manifests of `text`, each from `source`, as `FleetStore.apply` takes them.
    public static func parsed(_ text: String, source: String = "fleet.yaml") throws -> [(manifest: Manifest, source: String)] {
        try ManifestParser.parse(text, file: source).map { ($0, source) }
    }
}
