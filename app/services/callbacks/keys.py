"""A seller's production interface (URL + V2 access key) and principals' AK/SK pairs; both secrets are
derived (app/services/callbacks/secrets.py) and shown once, when made."""
import secrets

from sqlalchemy import select

from app.actors import SELLER, Actor
from app.errors import NotFoundError, ValidationFailedError
from app.extensions import runtime
from app.models import AccessKey, Principal, ProductionInterface
from app.services.callbacks.secrets import derive, new_salt
from app.services.core.access import authorize_self
from app.services.core.transaction import transaction

INTERFACE_KEY = "production-interface"
ACCESS_KEY = "access-key"


def _seller(session, actor: Actor, permission: str, name: str) -> Principal:
    authorize_self(actor, permission, name)
    found = session.scalars(select(Principal).where(Principal.name == name)).first()
    if found is None:
        raise NotFoundError(f"no principal named {name!r}")
    if found.role != SELLER:
        raise ValidationFailedError({"name": [f"{name!r} is not a seller"]})
    return found


def set_production_interface(actor: Actor, name: str, url: str) -> dict:
    """Register (or move) the seller's production interface; a new access key each time, shown once."""
    with transaction() as session:
        _seller(session, actor, "merchant.production_interface", name)
        now = runtime.clock.now()
        interface = session.scalars(select(ProductionInterface).where(ProductionInterface.seller == name)).first()
        if interface is None:
            interface = ProductionInterface(seller=name, created_at=now)
            session.add(interface)
        interface.url, interface.key_salt, interface.updated_at = url, new_salt(), now
        return {"url": url, "access_key": derive(INTERFACE_KEY, name, interface.key_salt)}


def create_access_key(actor: Actor, name: str) -> dict:
    """A new AK/SK pair for the seller; the secret key is shown once."""
    with transaction() as session:
        _seller(session, actor, "merchant.access_keys", name)
        key = AccessKey(access_key=secrets.token_hex(10).upper(), principal=name, secret_salt=new_salt(),
                        created_at=runtime.clock.now())
        session.add(key)
        return {"access_key": key.access_key, "secret_key": secret_of(key)}


def secret_of(key: AccessKey) -> str:
    return derive(ACCESS_KEY, key.access_key, key.secret_salt)
