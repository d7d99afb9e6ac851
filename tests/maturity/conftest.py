"""A small valid model file that the loader tests break in one place at a time."""

import pytest

TINY = """\
id: tiny
version: "1.0"
name: {en: Tiny, ja: 小さなモデル}
dimensions:
  - id: data
    name: {en: Data, ja: データ}
    capabilities:
      - id: versioning
        name: {en: Versioning, ja: バージョン管理}
        questions:
          - id: versioning-q
            text: {en: "How are versions kept?", ja: バージョンはどう管理していますか？}
            choices:
              - {id: none, level: 0, label: {en: Not kept, ja: 管理していない}}
              - {id: tool, level: 2, label: {en: With a tool, ja: ツールで管理している}}
      - id: pipeline
        name: {en: Pipeline, ja: パイプライン}
        prerequisites: [versioning]
        questions:
          - id: pipeline-q
            text: {en: "How is data prepared?", ja: データはどう準備していますか？}
            choices:
              - {id: by-hand, level: 0, label: {en: By hand, ja: 手作業}}
              - {id: automated, level: 3, label: {en: Automated, ja: 自動化}}
"""


@pytest.fixture
def tiny() -> str:
    """The text of a small valid model file."""
    return TINY
