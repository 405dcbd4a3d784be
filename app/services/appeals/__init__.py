"""appeals: see docs/architecture.md."""
