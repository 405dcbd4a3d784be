"""The Weaver cloud store: tenants, apps, purchase applications and their entitlements."""
