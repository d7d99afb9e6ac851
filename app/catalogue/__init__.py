"""The capability catalogue (YAML, schema, checks): what roadmap, teams (RACI) and checklists build on."""
