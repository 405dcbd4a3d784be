"""Invoices of orders (buyer guide §6.1, §6.3; docs/domain.md §5.5): apply, issue, return, confirm the return.

Refunds call `invoices_block_refund(session, order)`: an invoice applied for or issued must be returned first."""
from app.services.invoices.rules import invoices_block_refund

__all__ = ["invoices_block_refund"]
