"""Secrets that are derived, never stored: HMAC(platform key, purpose:id:salt). The database keeps only
the salt, so a dump without the platform key (SECRETS_KEY, or the key file under instance/) signs nothing."""
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from app.extensions import runtime


def _key_file(path: Path) -> bytes:
    """The key file's bytes; the first process to need one creates it (mode 0600), the others read it."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        return path.read_bytes().strip()


_read: dict[str, bytes] = {}  # key file path -> its key, read once per process


def platform_key() -> bytes:
    configured = runtime.settings.get("SECRETS_KEY")
    if configured:
        return configured.encode()
    path = runtime.settings["SECRETS_KEY_FILE"]
    if path not in _read:
        _read[path] = _key_file(Path(path))
    return _read[path]


def new_salt() -> str:
    return secrets.token_hex(16)


def derive(purpose: str, ident: str, salt: str) -> str:
    return hmac.new(platform_key(), f"{purpose}:{ident}:{salt}".encode(), hashlib.sha256).hexdigest()
