"""The team's learning log: the playbook's monthly training sessions, who attended and what was learned."""
