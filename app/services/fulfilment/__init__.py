"""fulfilment: see docs/architecture.md."""
from app.services.fulfilment import completion  # noqa: F401  registers the supervision completion hook
