"""lifecycle: a periodic order after supervision — renewals, expiry, auto-renewal, reminders and trials
(buyer guide §3, §4.3; docs/domain.md §4.4, §4.5)."""
