"""The demo's password is the same at every start: the first one made is kept in the data dir."""

import stat

from tongban.ops.management.commands.demo import demo_password_kept


def test_the_first_password_is_kept(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = demo_password_kept()
    assert first.startswith("Tb-") and demo_password_kept() == first
    kept = tmp_path / "demo_password"
    assert kept.read_text() == first and stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_given_password_is_kept_instead(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    demo_password_kept()
    assert demo_password_kept("Pw-chosen-123") == "Pw-chosen-123"
    assert demo_password_kept() == "Pw-chosen-123"
