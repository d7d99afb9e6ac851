"""Roadmap downloads: the pure text builders (formats) and the routes that serve them."""
