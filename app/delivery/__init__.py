"""A team's delivery metrics (DORA proxies) from its synced sources: page, JSON API, charts."""
