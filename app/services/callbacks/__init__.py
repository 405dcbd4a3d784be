"""Merchant integration (docs/api-contract.md "Merchant integration"): production interfaces, the outbox
relay and dispatcher of production-interface callbacks, and AK/SK-signed open-API calls."""
