"""Principals and their bearer tokens (stored as sha256; a lost token is replaced, never shown again)."""
import hashlib
import re
import secrets

from sqlalchemy import bindparam, select

from app.errors import ConflictError, NotFoundError, UnauthenticatedError, ValidationFailedError
from app.extensions import db, runtime
from app.models import Principal, Tenant
from app.actors import REVIEW_ROLES, ROLES
from app.actors import Actor
from app.services.core.access import authorize
from app.services.core.transaction import transaction


NAME = re.compile(r"[A-Za-z0-9_.@-]{1,100}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_principal_as(actor: Actor, name: str, role: str, review_role: str | None = None,
                        tenant: str | None = None) -> dict:
    """An API caller creates a principal: admins only (the CLI's operator calls create_principal)."""
    authorize(actor, "principals.create")
    return create_principal(name, role, review_role, tenant)


def create_principal(name: str, role: str, review_role: str | None = None, tenant: str | None = None) -> dict:
    """Create a principal and return it with its new token (the only time the token is shown)."""
    errors = {}
    if not NAME.fullmatch(name or ""):
        errors["name"] = ["1 to 100 letters, digits or . _ @ -"]
    if role not in ROLES:
        errors["role"] = [f"must be one of {', '.join(ROLES)}"]
    if role == "reviewer" and review_role not in REVIEW_ROLES:
        errors["review_role"] = [f"a reviewer needs one of {', '.join(REVIEW_ROLES)}"]
    if role != "reviewer" and review_role:
        errors["review_role"] = ["only reviewers have a review role"]
    if errors:
        raise ValidationFailedError(errors)
    token = secrets.token_urlsafe(32)
    with transaction() as session:
        if session.scalar(select(Principal.id).where(Principal.name == name)) is not None:
            raise ConflictError(f"a principal named {name!r} exists")
        if tenant is not None and session.get(Tenant, tenant) is None:
            raise ValidationFailedError({"tenant": [f"no tenant named {tenant!r} (POST /tenants first)"]})
        session.add(Principal(name=name, role=role, review_role=review_role, tenant=tenant,
                              token_hash=hash_token(token), created_at=runtime.clock.now()))
    return {"name": name, "role": role, "review_role": review_role, "tenant": tenant, "token": token}


def authenticate(token: str | None) -> Actor:
    """The actor behind a bearer token."""
    if not token:
        raise UnauthenticatedError("a bearer token is required")
    found = db.read_row(_ACTOR_BY_TOKEN, {"token_hash": hash_token(token)})  # no transaction of its own
    if found is None:
        raise UnauthenticatedError("unknown token")
    return Actor(*found)


# built once: every request runs it, and building the statement cost as much as running it
_ACTOR_BY_TOKEN = (select(Principal.name, Principal.role, Principal.review_role, Principal.tenant)
                   .where(Principal.token_hash == bindparam("token_hash")))


def list_principals() -> list[dict]:
    """Every principal, by name, without tokens."""
    with transaction(readonly=True) as session:
        return [{"name": p.name, "role": p.role, "review_role": p.review_role, "created_at": p.created_at}
                for p in session.scalars(select(Principal).order_by(Principal.name))]


def rotate_token(name: str) -> str:
    """Replace a principal's token (a lost one): the old token stops working, the new one is returned."""
    token = secrets.token_urlsafe(32)
    with transaction() as session:
        found = session.scalars(select(Principal).where(Principal.name == name)).first()
        if found is None:
            raise NotFoundError(f"no principal named {name!r}")
        found.token_hash = hash_token(token)
    return token
