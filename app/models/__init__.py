"""Typed SQLAlchemy 2 models, one module per aggregate."""
from app.models.appeal import Appeal
from app.models.attachment import Attachment, AttachmentLink
from app.models.audit import AuditEvent
from app.models.callback import AccessKey, Callback, ProductionInterface
from app.models.base import Base
from app.models.invoice import Invoice
from app.models.notification import Notification
from app.models.order import LogisticsEvent, Order, Task
from app.models.outbox import OutboxEvent
from app.models.principal import Principal
from app.models.process import ProcessDefinition, ProcessInstance
from app.models.purchase import App, Entitlement, PurchaseApplication, Tenant
from app.models.refund import Account, AccountEntry, Refund

__all__ = ["AccessKey", "Account", "AccountEntry", "App", "Appeal", "Attachment", "AttachmentLink", "AuditEvent",
           "Base", "Callback", "Entitlement", "Invoice", "LogisticsEvent", "Notification", "Order", "OutboxEvent",
           "Principal", "ProcessDefinition", "ProcessInstance", "ProductionInterface", "PurchaseApplication",
           "Refund", "Task", "Tenant"]
