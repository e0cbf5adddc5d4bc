"""ISO dates as platforms send them, read the way Python 3.10 can, and the lint that keeps 3.10."""

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from odoo.addons.connector_base.lib.dates import (
    UTC,
    isoformat_310,
    parse_iso_datetime,
    parse_timestamp,
    to_naive_utc,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-04T10:14:59.120Z", datetime(2025, 3, 4, 10, 14, 59, 120000, tzinfo=UTC)),
        ("2025-03-04T10:14:59Z", datetime(2025, 3, 4, 10, 14, 59, tzinfo=UTC)),
        ("2025-03-04T10:14:59.1234567z", datetime(2025, 3, 4, 10, 14, 59, 123456, tzinfo=UTC)),
        (
            "2025-03-04T10:14:59.5+02:00",
            datetime(2025, 3, 4, 10, 14, 59, 500000, tzinfo=timezone(timedelta(hours=2))),
        ),
        (" 2025-03-04 10:14:59 ", datetime(2025, 3, 4, 10, 14, 59)),
    ],
)
def test_platform_iso_dates_parse_without_python_311(text, expected):
    assert parse_iso_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "readable"),
    [
        ("2025-03-04T10:14:59.120Z", "2025-03-04T10:14:59.120000+00:00"),
        ("2025-03-04T10:14:59.1234567Z", "2025-03-04T10:14:59.123456+00:00"),
        ("2025-03-04T10:14:59Z", "2025-03-04T10:14:59+00:00"),
        (" 2025-03-04T10:14:59.5+02:00 ", "2025-03-04T10:14:59.500000+02:00"),
    ],
)
def test_platform_dates_are_rewritten_in_the_form_python_310_reads(text, readable):
    # 3.10 reads "YYYY-MM-DDTHH:MM:SS[.ffffff][+HH:MM]" only; 3.11 reads the originals directly.
    assert isoformat_310(text) == readable


def test_not_a_date_is_refused():
    with pytest.raises(ValueError):
        parse_iso_datetime("next Tuesday")


def test_aware_moments_become_naive_utc_and_naive_ones_stay():
    aware = datetime(2025, 3, 4, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert to_naive_utc(aware) == datetime(2025, 3, 4, 10, 0)
    assert to_naive_utc(datetime(2025, 3, 4, 12, 0)) == datetime(2025, 3, 4, 12, 0)
    assert to_naive_utc(None) is None


def run_version_check(path):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_python_version.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_version_lint_refuses_code_needing_python_311(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from datetime import UTC\n\nprint(UTC)\n")
    result = run_version_check(probe)
    assert result.returncode != 0
    assert "datetime.UTC" in result.stdout


def test_version_lint_accepts_the_helper_written_for_python_310():
    assert run_version_check(ROOT / "connector_base" / "lib" / "dates.py").returncode == 0


def test_platform_timestamps_become_naive_utc_and_empty_ones_none():
    assert parse_timestamp("2025-03-04T10:14:59.120+02:00") == datetime(2025, 3, 4, 8, 14, 59, 120000)
    assert parse_timestamp("2025-03-04T10:14:59Z") == datetime(2025, 3, 4, 10, 14, 59)
    assert parse_timestamp("") is None
    assert parse_timestamp(None) is None
