"""What /metrics tells Prometheus: the process's counters (instruments.py), the organisation's gauges read
from the database at scrape time (service.py, collector.py), and who may scrape (access.py)."""

# Set (by `hoshin serve --workers N`, or by the operator) before prometheus-client is first imported: the
# workers then keep their counters in files under it, and /metrics adds up every worker's.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
