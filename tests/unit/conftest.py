"""Fixtures of the pure tests: no database and no app."""
from pathlib import Path

import pytest

from cpp_app.domain.methodology import load_methodology_file

SEEDED_COS = Path(__file__).resolve().parents[2] / "seeds" / "methodology" / "cos-2025.yaml"
SEEDED_TEACHER = SEEDED_COS.with_name("teacher-readiness-2026.yaml")


@pytest.fixture(scope="module")
def cos():
    """The seeded ЦОС methodology, read from its file."""
    return load_methodology_file(SEEDED_COS)


@pytest.fixture(scope="module")
def teacher_instrument():
    """The seeded teacher self-assessment instrument, read from its file."""
    return load_methodology_file(SEEDED_TEACHER)
