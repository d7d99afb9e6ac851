"""A team's RACI matrix: its page (routes), reading and editing it (service), its pure rules."""
