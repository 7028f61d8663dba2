"""Settings: declared once, cast and checked at start, every one documented in the README."""

import pytest

from store.settings import SETTINGS, load
from tests.instance import ROOT


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert missing == []


def test_locations_follow_home_unless_set(tmp_path):
    settings = load({"SHORTLIST_HOME": str(tmp_path), "SHORTLIST_SKILLS": "/opt/skills"})
    assert settings.inbox == tmp_path / "inbox"
    assert settings.store == tmp_path / "store"
    assert settings.database_url == f"sqlite:///{tmp_path}/store/shortlist.db"
    assert str(settings.skills) == "/opt/skills"
    assert settings.failed_dir == tmp_path / "inbox" / "failed"
    assert settings.inbox_dir("job") == tmp_path / "inbox" / "jobs"


def test_values_are_cast():
    settings = load({"SHORTLIST_PORT": "9000", "SHORTLIST_MAX_FILE_MB": "1.5"})
    assert settings.port == 9000
    assert settings.max_file_bytes == int(1.5 * 1024 * 1024)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SHORTLIST_PORT": "eighty"}, "SHORTLIST_PORT"),
        ({"SHORTLIST_WORKERS": "0"}, "SHORTLIST_WORKERS"),
        ({"SHORTLIST_PDF_ENGINE": "tesseract"}, "SHORTLIST_PDF_ENGINE"),
    ],
)
def test_a_bad_value_stops_start_naming_its_variable(env, message):
    with pytest.raises(SystemExit, match=message):
        load(env)
