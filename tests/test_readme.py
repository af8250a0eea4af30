"""The README says what an operator needs: every setting tongban reads, TONGBAN_PUBLIC_URL first
in the configuration table, that `./dev run` installs Debian packages, and where the demo
password is kept."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
READ = re.compile(r"env\w*\(\s*\"(TONGBAN_[A-Z_]+)\"")


def _variables_read() -> set[str]:
    found = set()
    for path in (ROOT / "tongban").rglob("*.py"):
        if "tests" not in path.parts:
            found |= set(READ.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_setting_is_in_the_readme():
    named = set(re.findall(r"TONGBAN_[A-Z_]+", README))
    # A row may name a family once: `TONGBAN_EMAIL_BACKEND` … `_PORT`, `_USER`.
    shorthand = {f"{prefix}{suffix}" for prefix in ("TONGBAN_EMAIL", "TONGBAN_LOCKOUT", "TONGBAN_HSTS")
                 for suffix in re.findall(r"`(_[A-Z_]+)`", README)}  # fmt: skip
    missing = sorted(_variables_read() - named - shorthand - {"TONGBAN_DEMO"})
    assert not missing, f"README's configuration lacks {missing}"


def test_the_public_url_comes_first():
    table = README.split("## Configuration", 1)[1]
    first = re.search(r"^\| `(TONGBAN_[A-Z_]+)`", table, re.M).group(1)
    assert first == "TONGBAN_PUBLIC_URL"


def test_dev_run_says_it_installs_debian_packages_and_keeps_the_password():
    intro = README.split("## Using it", 1)[0]
    assert "apt-get" in intro and "without root" in intro.lower()
    assert "demo_password" in intro
