"""The pure roadmap planner: gaps, scheduling, generation, reasons, risks, OKR suggestions, action plan."""
