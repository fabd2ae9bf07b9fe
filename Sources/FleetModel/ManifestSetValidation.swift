/// Checks that span manifests: duplicate names across files, names long enough for the fleet's
/// prefix and generations, and volume mounts naming declared volumes.
public enum ManifestSetValidation {
    /// Every problem of `manifests` as a whole.
    ///
    /// - Parameters:
    ///   - manifests: the manifests being applied, in file order.
    ///   - otherVolumes: logical names of volumes already desired (in the store) that stay desired.
    ///   - namePrefix: the fleet's `name_prefix`.
    ///   - volumeNamePrefix: what every volume name starts with (the name prefix and the fleet's volume
    ///     scope, ``VolumeNaming``); `namePrefix` when nil.
    public static func problems(
        in manifests: [Manifest], otherVolumes: Set<String> = [], namePrefix: String = "", volumeNamePrefix: String? = nil
    ) -> [ManifestError] {
        var errors: [ManifestError] = []
        var seen: [String: Manifest] = [:]
        for manifest in manifests {
            if let first = seen[manifest.reference] {
                errors.append(ManifestError(manifest.location, "\(manifest.reference) is declared twice (first at \(first.location))"))
                continue
            }
            seen[manifest.reference] = manifest
            let replicas = if case .sandboxSet(let set) = manifest.spec { set.replicas } else { 1 }
            let prefix = manifest.kind == .volume ? volumeNamePrefix ?? namePrefix : namePrefix
            let limit = ManifestRules.maximumNameLength(kind: manifest.kind, namePrefix: prefix, replicas: replicas)
            if !ManifestRules.isDNSLabel(manifest.name) {
                errors.append(ManifestError(manifest.location, "name '\(manifest.name)' must be lowercase letters, digits and '-', starting and ending with a letter or digit"))
            } else if manifest.name.count > limit {
                errors.append(ManifestError(manifest.location, "name '\(manifest.name)' is \(manifest.name.count) characters; a \(manifest.kind.rawValue) name may have at most \(limit) here, leaving room for \(manifest.kind == .volume ? "the fleet's name prefix and volume scope" : "the fleet's name prefix and the generation suffix")"))
            }
        }
        let declaredVolumes = otherVolumes.union(manifests.filter { $0.kind == .volume }.map(\.name))
        for manifest in manifests {
            for (path, volume) in manifest.mounts(notIn: declaredVolumes) {
                let hint = NameSuggestion.hint(for: volume, in: declaredVolumes.sorted())
                errors.append(ManifestError(manifest.location, "\(manifest.reference) mounts volume '\(volume)' at \(path), but no Volume '\(volume)' is declared\(hint)"))
            }
        }
        return errors
    }
}
