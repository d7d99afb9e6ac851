"""Live evidence: sources (MLflow servers, Git repositories), their syncs and the signals they produce."""
