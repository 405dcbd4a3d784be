"""fulfilment: supervision of delivery (see docs/architecture.md)."""
