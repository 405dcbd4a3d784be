"""Read models: what a service returns when a row alone is not what the caller sees.

A view names the row it extends (`extends`); the attributes it does not define itself are the row's, so
the marshmallow dump schema (app/schemas/) reads the row's columns and the view's computed fields alike."""
from typing import ClassVar


class RowView:
    """Base of the read-model dataclasses: own fields first, then the attributes of the `extends` field."""

    extends: ClassVar[str]

    def __getattr__(self, name):
        if name.startswith("__") or name == self.extends:
            raise AttributeError(name)
        return getattr(getattr(self, self.extends), name)
