"""A Weaver store to test purchase applications in (domain.md §7, reference/weaver-purchase.zh.txt): a public
tenant; a private environment with its supervisor-level tenant and a sub tenant; a second private environment;
apps of one seller (with trial, without trial, special); business staff and ops. Built through the HTTP API."""
import uuid
from datetime import datetime, timedelta, timezone

from tests import factories

APPLICATIONS = "/api/v1/purchase-applications"
CONTACT = {"name": "Li Lei", "phone": "+8613800000000", "email": "li@example.com"}


class Store:
    def __init__(self, api, cast):
        self.api, self.cast, tag = api, cast, uuid.uuid4().hex[:8]
        self.env, self.far_env = f"env-{tag}", f"far-{tag}"
        self.public = self.tenant(f"pub-{tag}", "public")
        self.supervisor = self.tenant(f"sup-{tag}", "private", self.env, True)
        self.sub = self.tenant(f"sub-{tag}", "private", self.env)
        self.far = self.tenant(f"farsup-{tag}", "private", self.far_env, True)
        self.buyers = {t: factories.principal("buyer", tenant=t) for t in
                       (self.public, self.supervisor, self.sub, self.far)}
        self.business = factories.principal("business")
        self.app = self.publish(f"crm-{tag}", trial=True)
        self.no_trial = self.publish(f"erp-{tag}")
        self.special = self.publish(f"spec-{tag}", special=True)

    def tenant(self, name, cloud, environment=None, supervisor=False) -> str:
        response = self.api.post("/api/v1/tenants", self.cast.admin.token, json={
            "name": name, "cloud": cloud, "environment": environment, "supervisor": supervisor})
        assert response.status_code == 201, response.text
        return name

    def publish(self, app_id, special=False, trial=False) -> str:
        response = self.api.post("/api/v1/apps", self.cast.seller.token, json={
            "app_id": app_id, "name": app_id.upper(), "special": special, "trial": trial,
            "contact": {"name": "Acme sales", "phone": "+861012345678", "email": "sales@acme.example"}})
        assert response.status_code == 201, response.text
        return app_id

    def apply(self, tenant, app_id, kind="purchase", **extra):
        return self.api.post(APPLICATIONS, self.buyers[tenant].token,
                             json={"app_id": app_id, "kind": kind, "contact": CONTACT, **extra})

    def applied(self, tenant, app_id, kind="purchase", **extra) -> dict:
        response = self.apply(tenant, app_id, kind, **extra)
        assert response.status_code == 201, response.text
        return response.json()

    def act(self, who, application, action, data=None, attachments=None):
        return self.api.post(f"{APPLICATIONS}/{application['id']}/actions/{action}", who.token if who else None,
                             json={"data": data or {}, "attachments": attachments or []})

    def approved(self, application, pc=50, mobile=20, days=365) -> dict:
        response = self.act(self.business, application, "approve", approval(pc, mobile, days))
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, who, application):
        return self.api.get(f"{APPLICATIONS}/{application['id']}", who.token if who else None)

    def entitlements(self, who) -> list[dict]:
        response = self.api.get("/api/v1/entitlements", who.token)
        assert response.status_code == 200, response.text
        return response.json()

    def can_install(self, tenant, app_id) -> dict:
        response = self.api.get("/api/v1/entitlements/check", self.buyers[tenant].token, params={"app_id": app_id})
        assert response.status_code == 200, response.text
        return response.json()

    def count(self, who=None) -> int:
        response = self.api.get(APPLICATIONS, (who or self.business).token, params={"page_size": 100})
        assert response.status_code == 200, response.text
        return len(response.json())


def approval(pc=50, mobile=20, days=365) -> dict:
    expires_on = datetime.now(timezone.utc).date() + timedelta(days=days)
    return {"pc_seats": pc, "mobile_seats": mobile, "expires_on": expires_on.isoformat()}
