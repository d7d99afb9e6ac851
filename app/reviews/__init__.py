"""Quarterly reviews: the playbook's improvement cycle for one team and one quarter."""
