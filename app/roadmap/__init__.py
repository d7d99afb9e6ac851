"""The roadmap planner: capability catalogue, plan generation, risks, OKRs and the 3-month action plan."""
