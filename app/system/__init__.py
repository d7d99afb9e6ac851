"""Health, readiness and language: the routes every deployment and every page needs."""
