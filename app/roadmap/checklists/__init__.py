"""Ticking a roadmap item's checklist off: the page action and the JSON API (ticks: app.checklists)."""
