"""Fill an MLflow SQLite database with N finished runs (run with the MLflow environment's python).

Usage: mlflow_bulk_seed.py <sqlite file> <artifact root> <runs> <now ms>. The schema comes from MLflow's
own store (it runs MLflow's migrations); the runs are written in one transaction through MLflow's own
SQLAlchemy models, since 10,000 runs through the REST client would take ~10 minutes on 2 cores. Each run:
2 params, 2 metrics, 3 tags, started within the last 80 days. Not imported by the app or the benchmark.
"""

import sys
import uuid

from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlParam, SqlRun, SqlTag
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

DAY_MS = 86_400_000


def main() -> None:
    database, artifacts, count, now_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = SqlAlchemyStore(f"sqlite:///{database}", artifacts)
    experiments = [store.create_experiment(f"bench-{i}") for i in range(4)]
    with store.ManagedSessionMaker() as session:
        for i in range(count):
            run_id = uuid.uuid4().hex
            start = now_ms - (i * 80 * DAY_MS) // count - 60_000
            session.add(
                SqlRun(
                    run_uuid=run_id,
                    name=f"train-{i}",
                    source_type="LOCAL",
                    source_name="train.py",
                    entry_point_name="",
                    user_id="bench",
                    status="FAILED" if i % 10 == 0 else "FINISHED",
                    start_time=start,
                    end_time=start + 30_000,
                    source_version="",
                    lifecycle_stage="active",
                    artifact_uri=f"{artifacts}/{run_id}/artifacts",
                    experiment_id=int(experiments[i % len(experiments)]),
                )
            )
            if i % 1000 == 0:
                session.flush()
            for key, value in (("lr", "0.01"), ("depth", str(i % 12))):
                session.add(SqlParam(key=key, value=value, run_uuid=run_id))
            for key, value in (("auc", 0.5 + (i % 50) / 100), ("loss", 1.0 / (1 + i % 7))):
                session.add(
                    SqlMetric(key=key, value=value, timestamp=start, step=0, is_nan=False, run_uuid=run_id)
                )
                session.add(
                    SqlLatestMetric(
                        key=key, value=value, timestamp=start, step=0, is_nan=False, run_uuid=run_id
                    )
                )
            tags = {
                "mlflow.user": "bench",
                "mlflow.source.type": "JOB" if i % 3 else "NOTEBOOK",
                "mlflow.source.git.commit": f"{i:040x}",
            }
            for key, value in tags.items():
                session.add(SqlTag(key=key, value=value, run_uuid=run_id))


if __name__ == "__main__":
    main()
