"""Reusable widgets of the Rounds app: the case board, the checklist, alerts, events and the lesion chart."""
