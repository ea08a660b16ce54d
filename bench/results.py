"""Where benchmark runs keep their figures: one timestamped JSON file per run in bench/results/."""

import json
from datetime import UTC, datetime
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "results"


def save(name: str, report: dict) -> Path:
    FOLDER.mkdir(exist_ok=True)
    path = FOLDER / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=1))
    return path
