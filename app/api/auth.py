"""Bearer-token authentication for views; the actor of the request lives in flask.g."""
from functools import wraps

from flask import g, request

from app.actors import Actor
from app.services.principals import authenticate


def authenticated():
    """Require a valid bearer token (401 otherwise); what the actor may do is the services' to decide (403)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            g.actor = authenticate(token.strip() if scheme.lower() == "bearer" else None)
            return view(*args, **kwargs)

        # for the OpenAPI document (app/api/base.py): bearer security and 401
        wrapper._apidoc = {**getattr(view, "_apidoc", {}), "authenticated": True}
        return wrapper

    return decorate


def actor() -> Actor:
    return g.actor
