"""Every audit action the code writes has Russian words for the history pages."""
import re
from pathlib import Path

from cpp_app.blueprints.admin.services import AUDIT_ACTION_LABELS

CODE = Path(__file__).resolve().parents[2] / "cpp_app"


def test_every_recorded_action_has_a_label():
    pattern = re.compile(r'audit\.record\(\s*[\w.()]+,\s*"([a-z_.]+)"')
    actions = {match for path in CODE.rglob("*.py") for match in pattern.findall(path.read_text(encoding="utf-8"))}
    assert len(actions) > 20
    assert actions <= set(AUDIT_ACTION_LABELS), sorted(actions - set(AUDIT_ACTION_LABELS))
