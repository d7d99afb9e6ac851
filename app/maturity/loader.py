"""Load maturity model files (YAML) into validated models, listing every problem with its line.

Reading, limits and line-located problems are the shared data-file loader's (`app.kit.datafile`).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from app.i18n import N_
from app.kit.datafile.reading import DataFileError, DataFormat
from app.maturity.checks import reference_findings
from app.maturity.errors import describe
from app.maturity.schema import MaturityModel

MODELS_DIR = Path(__file__).parent / "models"
GUIDE = "docs/maturity-models.md"


class ModelFileError(DataFileError):
    """A model file that cannot be used; `problems` lists everything wrong with it."""


MODEL_FILES = DataFormat(MaturityModel, ModelFileError, describe, reference_findings, N_("model file"))


def load_model_text(text: str, source: str) -> MaturityModel:
    """Validate the YAML text of a model file; raise ModelFileError listing every problem."""
    return MODEL_FILES.load_text(text, source)


def load_model_bytes(data: bytes, source: str) -> MaturityModel:
    """Validate a model file's bytes (as read, at most MAX_FILE_BYTES + 1 of them)."""
    return MODEL_FILES.load_bytes(data, source)


def load_model_file(path: str | os.PathLike[str]) -> MaturityModel:
    """Read and validate one model file (UTF-8 YAML); raise ModelFileError if it is unusable."""
    return MODEL_FILES.load_file(path)


def builtin_model_paths() -> tuple[Path, ...]:
    """The model files shipped with Hoshin, by file name."""
    return tuple(sorted(MODELS_DIR.glob("*.yaml")))


@functools.cache
def builtin_models() -> tuple[MaturityModel, ...]:
    """The shipped maturity models, loaded once and sorted by id."""
    return tuple(sorted((load_model_file(path) for path in builtin_model_paths()), key=lambda m: m.id))
