"""Checklists: the catalogue's checklist entries of each roadmap item, ticked off by the team."""
