"""Populate an MLflow server through MLflow's own client (run with the MLflow environment's python).

Reads a JSON spec on stdin: {"uri", "runs", "models", "terminate", "set_aliases"}; writes
what was created (run ids by key, each version's creation and last-update times) as JSON to the file
named by argv[1]. Not imported by the app or pytest.
"""

import json
import sys

from mlflow import MlflowClient
from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param


def main() -> None:
    spec = json.load(sys.stdin)
    client = MlflowClient(tracking_uri=spec["uri"], registry_uri=spec["uri"])
    experiments: dict[str, str] = {}
    run_ids: dict[str, str] = {}
    for run in spec.get("runs", []):
        name = run["experiment"]
        if name not in experiments:
            found = client.get_experiment_by_name(name)
            experiments[name] = found.experiment_id if found else client.create_experiment(name)
        tags = {"mlflow.source.type": run["source_type"], "mlflow.user": "seed"}
        if run["git"]:
            tags["mlflow.source.git.commit"] = "0123456789abcdef0123456789abcdef01234567"
        created = client.create_run(
            experiments[name], start_time=run["start_ms"], tags=tags, run_name=run["key"]
        )
        run_id = created.info.run_id
        params = [Param("lr", "0.01"), Param("depth", "6")] if run["params"] else []
        metrics = [Metric("auc", 0.8, run["start_ms"], 0)] if run["metrics"] else []
        if params or metrics:
            client.log_batch(run_id, metrics=metrics, params=params)
        if run["dataset"]:
            dataset = Dataset("shop-train", "97ce029f", "s3", '{"uri": "s3://bucket/train.parquet"}')
            client.log_inputs(run_id, [DatasetInput(dataset, [InputTag("mlflow.data.context", "training")])])
        if run["status"] != "RUNNING":
            client.set_terminated(run_id, status=run["status"], end_time=run["end_ms"])
        run_ids[run["key"]] = run_id
    versions = {}
    for model in spec.get("models", []):
        client.create_registered_model(model["name"])
        for number, run_key in enumerate(model["versions"], start=1):
            run_id = run_ids.get(run_key) if run_key else None
            source = f"runs:/{run_id}/model" if run_id else "s3://bucket/models/external"
            client.create_model_version(model["name"], source, run_id=run_id)
            stage = model.get("stages", {}).get(str(number))
            if stage:
                client.transition_model_version_stage(model["name"], str(number), stage)
        for alias, number in model.get("aliases", {}).items():
            client.set_registered_model_alias(model["name"], alias, str(number))
        for number in range(1, len(model["versions"]) + 1):
            got = client.get_model_version(model["name"], str(number))
            versions[f"{model['name']}/{number}"] = {
                "created": got.creation_timestamp,
                "updated": got.last_updated_timestamp,
            }
    for run_id, status, end_ms in spec.get("terminate", []):
        client.set_terminated(run_id, status=status, end_time=end_ms)
    for name, alias, number in spec.get("set_aliases", []):
        client.set_registered_model_alias(name, alias, str(number))
    # MLflow prints "View run ..." lines on stdout: the result goes to the file named on the command line.
    with open(sys.argv[1], "w") as out:
        json.dump({"runs": run_ids, "versions": versions}, out)


if __name__ == "__main__":
    main()
