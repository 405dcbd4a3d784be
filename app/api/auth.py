"""Authentication for views: a bearer token, or an SDK-HMAC-SHA256 signed request (AK/SK, the open API);
the actor of the request lives in flask.g."""
from functools import wraps

from flask import g, request

from app.actors import Actor
from app.services.callbacks.signed_auth import SignedRequest, authenticate_signed
from app.services.callbacks.signing import SDK_ALGORITHM
from app.services.principals import authenticate


def _signed_request() -> SignedRequest:
    return SignedRequest(method=request.method, path=request.path, query=list(request.args.items(multi=True)),
                         headers={name.lower(): value for name, value in request.headers.items()},
                         body=request.get_data(cache=True))


def _actor_of_request() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme == SDK_ALGORITHM:
        return authenticate_signed(_signed_request())
    return authenticate(token.strip() if scheme.lower() == "bearer" else None)


def authenticated():
    """Require a valid bearer token or AK/SK signature (401 otherwise); what the actor may do is the
    services' to decide (403)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.actor = _actor_of_request()
            return view(*args, **kwargs)

        # for the OpenAPI document (app/api/base.py): bearer security and 401
        wrapper._apidoc = {**getattr(view, "_apidoc", {}), "authenticated": True}
        return wrapper

    return decorate


def actor() -> Actor:
    return g.actor
