"""The test double around the API: state, control plane, faults, journal, clock, stores."""
