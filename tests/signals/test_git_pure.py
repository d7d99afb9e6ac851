"""The Git adapter's pure parts without git: tree classification, history figures, URL rules."""

from __future__ import annotations

import pytest

from app.signals.adapters.base import Outbound, SyncError
from app.signals.adapters.git_history import (
    DAY,
    LEAD_SAMPLE,
    History,
    LogScan,
    Tag,
    deploy_bucket,
    lead_bucket,
    weighted_median,
)
from app.signals.adapters.git_tree import ci_files, files_to_read, tree_signals
from app.signals.adapters.git_url import check_branch, check_remote


def signals(paths: list[str], texts: dict[str, str] | None = None) -> dict[str, float]:
    return {s.key: s.value for s in tree_signals(paths, texts or {})}


@pytest.mark.parametrize(
    ("path", "system"),
    [
        (".github/workflows/ci.yaml", "github_actions"),
        (".gitlab-ci.yml", "gitlab_ci"),
        ("Jenkinsfile", "jenkins"),
        ("ci/Jenkinsfile", "jenkins"),
        ("azure-pipelines.yml", "azure_pipelines"),
        (".circleci/config.yml", "circleci"),
        ("bitbucket-pipelines.yml", "bitbucket_pipelines"),
    ],
)
def test_each_ci_system_is_recognised(path: str, system: str) -> None:
    assert [ci.system for ci in ci_files([path, "README.md"])] == [system]


def test_github_folder_without_workflows_is_not_ci() -> None:
    paths = [".github/FUNDING.yml", ".github/ISSUE_TEMPLATE/bug.md", ".github/CODEOWNERS"]
    assert signals(paths)["git.ci.configured"] == 0


def test_ci_steps_are_read_from_commands_not_comments() -> None:
    gitlab = "test:\n  script:\n    - tox -e py\n# kubectl apply -f prod.yaml\n"
    gitlab += "deploy:\n  script:\n    - helm upgrade app ./chart\n"
    got = signals([".gitlab-ci.yml"], {".gitlab-ci.yml": gitlab})
    assert got["git.ci.runs_tests"] == 1
    assert got["git.ci.deploys"] == 1
    assert got["git.ci.trains_model"] == 0
    jenkins = "stage('x') { sh 'dvc repro' }\n// docker push image\n"
    got = signals(["Jenkinsfile"], {"Jenkinsfile": jenkins})
    assert got["git.ci.trains_model"] == 1
    assert got["git.ci.deploys"] == 0


@pytest.mark.parametrize(
    ("name", "text", "threshold"),
    [
        (".coveragerc", "[report]\nfail_under = 72\n", 0.72),
        ("setup.cfg", "[coverage:report]\nfail_under=90.5\n", 0.905),
        ("codecov.yml", "coverage:\n  status:\n    project:\n      default:\n        target: 75%\n", 0.75),
        ("package.json", '{"jest": {"coverageThreshold": {"global": {"lines": 60}}}}', 0.6),
        ("tox.ini", "[testenv]\ncommands = pytest --cov=pkg --cov-fail-under 88\n", 0.88),
    ],
)
def test_coverage_thresholds_in_each_form(name: str, text: str, threshold: float) -> None:
    got = signals([name], {name: text})
    assert got["git.coverage.configured"] == 1
    assert got["git.coverage.threshold"] == pytest.approx(threshold)


def test_no_coverage_threshold_means_no_signal_rather_than_zero() -> None:
    assert "git.coverage.threshold" not in signals(["main.py"])


def test_tests_count_against_source_files_outside_vendored_folders() -> None:
    paths = [
        "src/a.py",
        "src/b.go",
        "src/b_test.go",
        "web/x.test.ts",
        "tests/test_a.py",
        "node_modules/y/z.test.js",
    ]
    got = signals(paths)
    assert got["git.tests.files"] == 3
    assert got["git.tests.file_share"] == pytest.approx(3 / 5, abs=1e-4)


def test_requirements_pins_and_hashes() -> None:
    text = "a==1.0\nb>=2\nc @ https://x/c.whl\n-r other.txt\nd==2 \\\n    --hash=sha256:abc\n"
    got = signals(["requirements.txt"], {"requirements.txt": text})
    assert got["git.deps.pinned_share"] == 0.75  # a, c (a direct URL) and d of a, b, c, d
    assert got["git.deps.locked"] == 1  # hashes lock the environment


def test_files_to_read_takes_configs_and_a_bounded_number_of_code_files() -> None:
    paths = [f"pkg/m{i}.py" for i in range(500)] + ["pkg/train.py", "pyproject.toml", "big/data.csv"]
    chosen = files_to_read(paths)
    assert "pyproject.toml" in chosen
    assert chosen[1] == "pkg/train.py"  # code files whose names hint at ML come first
    assert "big/data.csv" not in chosen
    assert len(chosen) == 1 + 200


def log(*lines: tuple[str, str, int, str]) -> bytes:
    """`git log --format=LOG_FORMAT` output for (sha, parents, time, subject) lines."""
    return "".join(
        f"{sha}\x1f{parents}\x1f{at}\x1f{at}\x1fa@x\x1f{subject}\n" for sha, parents, at, subject in lines
    ).encode()


def test_first_release_follows_merges_and_skips_what_an_earlier_tag_released() -> None:
    # a <- b <- m (merge of c) <- d; c branches off a
    output = log(
        ("d", "m", 500, "x"),
        ("m", "b c", 400, "x"),
        ("c", "a", 300, "x"),
        ("b", "a", 200, "x"),
        ("a", "", 100, "x"),
    )
    scan = LogScan(0, graph=True)
    for at in range(0, len(output), 7):  # git's output arrives in pieces cut anywhere
        scan.feed(output[at : at + 7])
    scan.close()
    found = scan.first_releases([Tag("v1", "b", 250), Tag("v2", "d", 600)])
    assert sorted(found["v1"]) == [100, 200]
    assert sorted(found["v2"]) == [300, 400, 500]


def test_lead_times_are_sampled_but_the_median_stays_right() -> None:
    history = History()
    history.add_release(Tag("v1", "x", 10_000 * 60), [t * 60 for t in range(10_000)])  # leads 1 .. 10000 min
    assert len(history.releases["v1"]["lead"]) == LEAD_SAMPLE
    assert history.releases["v1"]["n"] == 10_000
    median = weighted_median((r["lead"], r["n"]) for r in history.releases.values())
    assert median == pytest.approx(5_000, rel=0.03)


def test_non_positive_lead_times_are_ignored_as_in_four_keys() -> None:
    history = History()
    history.add_release(Tag("v1", "x", 1000), [1000, 2000, 1000 - 3600])
    assert history.releases["v1"]["lead"] == [60]


def test_window_forgets_old_days_and_releases() -> None:
    history = History()
    scan = LogScan(0, graph=False)
    scan.feed(log(("b", "a", 100 * DAY, 'Revert "a"'), ("a", "", 10 * DAY, "a")))
    scan.close()
    scan.into(history)
    history.add_release(Tag("v1", "a", 20 * DAY), [])
    history.prune(since=50 * DAY)
    assert history.days == {"100": [1, 1]}
    assert list(history.authors.values()) == [100]
    assert history.releases == {}


def test_four_keys_buckets() -> None:
    since = 0
    daily = [d * DAY for d in range(90)]
    weekly = [w * 7 * DAY for w in range(13)]
    monthly = [m * 30 * DAY for m in range(3)]
    assert deploy_bucket(daily, since) == "daily"
    assert deploy_bucket(weekly, since) == "weekly"
    assert deploy_bucket(monthly, since) == "monthly"
    assert deploy_bucket([], since) == "yearly"
    assert [lead_bucket(h) for h in (1, 48, 200, 1000, 9000)] == [
        "one_day",
        "one_week",
        "one_month",
        "six_months",
        "one_year",
    ]


def public(_host: str) -> list[str]:
    return ["140.82.112.3"]


def test_scp_like_and_wildcard_hosts() -> None:
    outbound = Outbound(allowed_hosts=("*.example.com",))
    remote = check_remote("git@git.example.com:acme/churn.git", outbound, public)
    assert remote.transport == "ssh"
    assert remote.url == "git@git.example.com:acme/churn.git"
    with pytest.raises(SyncError) as caught:
        check_remote("https://example.com.evil.net/x.git", outbound, public)
    assert caught.value.kind == "host_not_allowed"


@pytest.mark.parametrize(
    "address", ["10.0.0.5", "169.254.169.254", "127.0.0.1", "::1", "fd00::1", "::ffff:10.0.0.1"]
)
def test_private_and_metadata_addresses_are_refused(address: str) -> None:
    with pytest.raises(SyncError) as caught:
        check_remote(
            "https://git.example.com/x.git",
            Outbound(allowed_hosts=("git.example.com",)),
            lambda _h: [address],
        )
    assert caught.value.kind == "host_not_allowed"


def test_credentials_are_hidden_in_the_shown_url() -> None:
    remote = check_remote(
        "https://tok:secret@github.com/a/b.git", Outbound(allowed_hosts=("github.com",)), public
    )
    assert remote.shown == "https://github.com/a/b.git"
    assert remote.url == "https://tok:secret@github.com/a/b.git"


@pytest.mark.parametrize("branch", ["-x", "a..b", "a b", "x.lock", "/x", "x/", "a;b", "$(id)"])
def test_invalid_branch_names(branch: str) -> None:
    with pytest.raises(SyncError):
        check_branch(branch)


def test_valid_branch_names() -> None:
    assert check_branch("release/2026.12") == "release/2026.12"


def test_build_and_lint_steps_and_monitoring_files_need_their_content() -> None:
    workflow = "on: push\njobs:\n  b:\n    steps:\n      - run: docker build -t app .\n"
    workflow += "      - run: pre-commit run -a\n"
    texts = {
        ".github/workflows/b.yml": workflow,
        "k8s/rules.yaml": "kind: Role\nrules: []\n",
        "grafana/x.json": "{}",
    }
    got = signals(list(texts), texts)
    assert got["git.ci.builds"] == 1
    assert got["git.ci.lints"] == 1
    assert got["git.ci.runs_tests"] == 0
    assert got["git.monitoring.configured"] == 0  # a Kubernetes Role is not a Prometheus rule file
