"""One adapter per kind of source; each turns what the source shows into signals (see base.py)."""
