import FleetCommands

/// The `porter-fleet` executable: everything lives in the `FleetCommands` library.
@main
extension PorterFleetCommand {}
