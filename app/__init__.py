"""Hoshin: MLOps maturity assessment and roadmap planner."""
