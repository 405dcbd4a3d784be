"""fulfilment: see docs/architecture.md."""
