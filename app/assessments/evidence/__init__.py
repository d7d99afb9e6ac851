"""Evidence in the questionnaire: accepting the level the evidence suggests, dismissing a flag (pages and
JSON). Here, not in app/evidence: these routes change answers and render the questionnaire, and
app/assessments already reads app/evidence (one-way dependencies)."""
