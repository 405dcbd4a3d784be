"""processes: see docs/architecture.md."""
