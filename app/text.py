"""What text a database column can hold: no NUL character and no unpaired surrogate (PostgreSQL cannot
store them; SQLite would, so both databases refuse them alike). A leaf: the API's input guard and the
services that decode text of their own (keyset cursors) share it."""
import re

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "must not contain NUL characters or unpaired surrogates"


def unstorable(text: str) -> bool:
    """True if `text` holds a character no database column may hold (NUL, a lone surrogate)."""
    return UNSTORABLE.search(text) is not None
