"""Who calls the API: one principal, one role, one hashed bearer token."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base



class Principal(Base):
    __tablename__ = "principal"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    review_role: Mapped[str | None] = mapped_column(String(20))
    tenant: Mapped[str | None] = mapped_column(ForeignKey("tenant.name"))  # the Weaver store's tenant, if any
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
