"""The federal targets the monitoring pages set «Моя школа» against, read from seeds/federal_targets.yaml."""
from functools import cache

import yaml

from ...config import BASE_DIR
from ...domain.federal_targets import FederalTargets, parse_targets, percent_text
from . import bp

TARGETS_FILE = BASE_DIR / "seeds" / "federal_targets.yaml"
# The measures a target applies to: the trend metric of the platform each one is drawn on.
TREND_METRICS = {"active_share": "teachers", "organizations_share": "organizations"}


@cache  # a document's values, shipped with the code: read once per process
def federal_targets() -> FederalTargets:
    with TARGETS_FILE.open(encoding="utf-8") as stream:
        return parse_targets(yaml.safe_load(stream))


bp.add_app_template_filter(percent_text, "percent_floor")
