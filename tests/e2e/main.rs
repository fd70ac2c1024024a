//! End-to-end tests: the real binary against the simulated fleet.
