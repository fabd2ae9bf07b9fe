import PorterSandbox

/// The version of porter-fleet.
public enum PorterFleetVersion {
    /// The semantic version of this build.
    public static let current = "0.1.0"
}
