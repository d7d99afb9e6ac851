"""The roadmap area: pages, API, service and views; the pure planning code is in `planner/`."""
