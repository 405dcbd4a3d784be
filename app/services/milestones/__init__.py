"""Staged acceptance (里程碑验收) of orders placed with milestones."""
