"""An assessment's answers and results as CSV: one row per answer or capability, formula-safe, UTF-8
with a BOM for Excel, headers in the language asked for, linked from its pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments.targets.service import DEFAULT_TARGET
from app.maturity import service as maturity_service
from app.maturity.schema import MaturityModel
from app.models import Answer, Assessment, MaturityModelVersion
from tests import factories
from tests.access.conftest import act_as
from tests.factories import Org

FORMULA = '=HYPERLINK("http://evil.example","click")'
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def model_row(db: Session) -> MaturityModelVersion:
    return factories.maturity_model(db)


@pytest.fixture
def model(model_row: MaturityModelVersion) -> MaturityModel:
    return maturity_service.parsed(model_row)


@pytest.fixture
def assessment(db: Session, org: Org, model_row: MaturityModelVersion, model: MaturityModel) -> Assessment:
    """Every question answered at level 2 by the member; the last capability does not apply (its reason
    starts with a minus); the first answer's note is a formula, and it has two evidence links."""
    skipped = {q.id: "-no models in production yet" for q in model.capabilities()[-1].questions}
    row = factories.assessment(db, org.team, model_row, level=2, by=org.member, not_applicable=skipped)
    first = db.scalars(
        select(Answer).where(Answer.assessment_id == row.id, Answer.question_id == model.questions()[0].id)
    ).one()
    first.note = FORMULA
    first.evidence_links = ["https://example.com/a", "https://example.com/b"]
    db.commit()
    return row


def rows(raw: bytes) -> list[list[str]]:
    assert raw.startswith(BOM)  # Excel in Japanese reads it as UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_answers_csv_has_a_row_per_answer_with_japanese_headers(
    client: TestClient, db: Session, org: Org, model: MaturityModel, assessment: Assessment
) -> None:
    act_as(client, db, org.viewer)
    response = client.get(f"/assessments/{assessment.id}/answers.csv?lang=ja")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "-ja.csv" in response.headers["content-disposition"]
    table = rows(response.content)
    assert table[0] == [
        "ケイパビリティ",
        "質問",
        "選択肢",
        "レベル",
        "該当しない理由",
        "メモ",
        "エビデンスのリンク",
        "回答者",
        "回答日時（UTC）",
    ]
    answers = db.scalars(select(Answer).where(Answer.assessment_id == assessment.id)).all()
    assert len(table) - 1 == len(answers) == len(model.questions())
    first = table[1]
    assert first[0] == model.capabilities()[0].name.ja
    assert first[1] == model.questions()[0].text.ja
    assert first[3] == "2"
    assert first[5] == "'" + FORMULA  # a formula is kept as text
    assert first[6] == "https://example.com/a\nhttps://example.com/b"
    assert first[7] == "member"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first[8])
    skipped = table[-1]
    assert skipped[2:5] == ["", "", "'-no models in production yet"]


def test_results_csv_has_a_row_per_capability_with_target_gap_and_weakest_answer(
    client: TestClient, db: Session, org: Org, model: MaturityModel, assessment: Assessment
) -> None:
    act_as(client, db, org.member)
    response = client.get(f"/assessments/{assessment.id}/results.csv?lang=en")
    assert response.status_code == 200
    table = rows(response.content)
    assert table[0] == ["Area", "Capability", "Level", "Target", "Gap", "Weakest answer"]
    assert len(table) - 1 == len(model.capabilities())
    first, question = table[1], model.questions()[0]
    choice = next(c for c in question.choices if c.level == 2)
    assert first[:2] == [model.dimensions[0].name.en, model.capabilities()[0].name.en]
    assert first[2:5] == ["2.0", str(DEFAULT_TARGET), f"{max(0, DEFAULT_TARGET - 2):.1f}"]
    assert first[5] == f"{question.text.en}: {choice.label.en} (level 2)"
    assert table[-1][2:] == ["", str(DEFAULT_TARGET), "", "not applicable"]


def test_results_csv_headers_follow_the_readers_language(
    client: TestClient, db: Session, org: Org, assessment: Assessment
) -> None:
    act_as(client, db, org.viewer)
    response = client.get(f"/assessments/{assessment.id}/results.csv", headers={"Accept-Language": "ja"})
    assert rows(response.content)[0] == [
        "領域",
        "ケイパビリティ",
        "レベル",
        "目標",
        "ギャップ",
        "最も低い回答",
    ]


def test_results_page_questionnaire_and_report_link_both_csv_files(
    client: TestClient, db: Session, org: Org, assessment: Assessment
) -> None:
    act_as(client, db, org.viewer)
    a = assessment.id
    for page in (f"/assessments/{a}/results", f"/assessments/{a}", f"/reports/assessment/{a}"):
        html = client.get(page, headers={"Accept-Language": "ja"}).text
        assert f'/assessments/{a}/results.csv?lang=ja" download' in html, page
        assert f'/assessments/{a}/answers.csv?lang=ja" download' in html, page
        assert "結果（CSV）" in html, page
