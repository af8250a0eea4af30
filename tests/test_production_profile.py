"""TONGBAN_PROFILE=production (README "Production"): every control on, each one also switchable
on its own, DEBUG and the demo refused, and `manage.py check --deploy` without a warning.

Settings are read once per process, so each case runs a fresh Python with its own environment.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tongban.lib.crypto import key_line_new

ROOT = Path(__file__).resolve().parent.parent
# Each case is a fresh process on SQLite of its own, whichever database this run tests (about a
# minute in all): once, in the PostgreSQL stage.
pytestmark = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="its processes use SQLite of their own whatever the stage: runs in the PostgreSQL stage",
)
PRODUCTION = {
    "TONGBAN_PROFILE": "production",
    "TONGBAN_ALLOWED_HOSTS": "tongban.example.org",
    "TONGBAN_EMAIL_BACKEND": "smtp",  # Django's mail.E001 refuses the console in production
    "TONGBAN_DATA_KEY": key_line_new("test"),  # production keeps it out of the data dir
    # production refuses the demo identity service; the interface stands for the city's here
    "TONGBAN_IDENTITY_BACKEND": "tongban.people.identity.IdentityService",
}
NAMES = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SAMESITE", "SECURE_CSP", "SECURE_CSP_REPORT_ONLY",
    "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
]  # fmt: skip


def run(code_or_args, tmp_path, **env) -> subprocess.CompletedProcess:
    """Python in a fresh process, in the repository, on SQLite in a data dir of its own, with
    the machine's TONGBAN_* variables replaced by `env`. Without the browser tests'
    DJANGO_ALLOW_ASYNC_UNSAFE (tests/e2e/conftest.py), which `check --deploy` rightly refuses."""
    clean = {k: v for k, v in os.environ.items()
             if k != "DJANGO_ALLOW_ASYNC_UNSAFE" and not k.startswith("TONGBAN_")}  # fmt: skip
    clean |= {"TONGBAN_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "tongban.settings",
              **env}  # fmt: skip
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def settings_under(tmp_path, **env) -> dict:
    done = run(f"import json; from django.conf import settings; "
               f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}))", tmp_path, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_production_turns_every_control_on(tmp_path):
    s = settings_under(tmp_path, **PRODUCTION)
    assert s["SECURE_SSL_REDIRECT"] is True and s["SECURE_PROXY_SSL_HEADER"] is None
    assert (s["SECURE_HSTS_SECONDS"], s["SECURE_HSTS_INCLUDE_SUBDOMAINS"],
            s["SECURE_HSTS_PRELOAD"]) == (365 * 24 * 3600, True, True)  # fmt: skip
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert s[f"{cookie}_COOKIE_SECURE"] is s[f"{cookie}_COOKIE_HTTPONLY"] is True
        assert s[f"{cookie}_COOKIE_SAMESITE"] == "Lax"
    assert s["SECURE_CSP"]["frame-ancestors"] == ["'none'"] and not s["SECURE_CSP_REPORT_ONLY"]
    assert (s["X_FRAME_OPTIONS"], s["SECURE_CONTENT_TYPE_NOSNIFF"], s["SECURE_REFERRER_POLICY"]) == (
        "DENY", True, "same-origin",
    )  # fmt: skip


def test_development_serves_plain_http(tmp_path):
    s = settings_under(tmp_path)
    assert s["SECURE_SSL_REDIRECT"] is False and s["SECURE_HSTS_SECONDS"] == 0
    assert s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is False
    assert s["SESSION_COOKIE_HTTPONLY"] is s["CSRF_COOKIE_HTTPONLY"] is True
    assert s["SECURE_CSP"]["script-src"] == django_settings.SECURE_CSP["script-src"]


@pytest.mark.parametrize(
    "env, name, value",
    [
        ({"TONGBAN_SSL_REDIRECT": "false"}, "SECURE_SSL_REDIRECT", False),
        (
            {"TONGBAN_BEHIND_PROXY": "true"},
            "SECURE_PROXY_SSL_HEADER",
            ["HTTP_X_FORWARDED_PROTO", "https"],
        ),
        ({"TONGBAN_HSTS_SECONDS": "300"}, "SECURE_HSTS_SECONDS", 300),
        ({"TONGBAN_HSTS_PRELOAD": "no"}, "SECURE_HSTS_PRELOAD", False),
        ({"TONGBAN_HSTS_INCLUDE_SUBDOMAINS": "0"}, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False),
        ({"TONGBAN_SECURE_COOKIES": "false"}, "SESSION_COOKIE_SECURE", False),
        ({"TONGBAN_COOKIE_SAMESITE": "Strict"}, "SESSION_COOKIE_SAMESITE", "Strict"),
        ({"TONGBAN_CSP": "off"}, "SECURE_CSP", {}),
    ],
)
def test_each_control_has_its_own_variable(tmp_path, env, name, value):
    assert settings_under(tmp_path, **PRODUCTION, **env)[name] == value


@pytest.mark.parametrize(
    "env, name, value",
    [
        ({"TONGBAN_SSL_REDIRECT": "true"}, "SECURE_SSL_REDIRECT", True),
        ({"TONGBAN_HSTS_SECONDS": "60"}, "SECURE_HSTS_SECONDS", 60),
        ({"TONGBAN_SECURE_COOKIES": "true"}, "CSRF_COOKIE_SECURE", True),
    ],
)
def test_development_can_switch_one_control_on(tmp_path, env, name, value):
    assert settings_under(tmp_path, **env)[name] == value


def test_report_only_moves_the_policy_to_its_own_header(tmp_path):
    s = settings_under(tmp_path, TONGBAN_CSP="report-only")
    assert s["SECURE_CSP"] == {} and s["SECURE_CSP_REPORT_ONLY"]["default-src"] == ["'self'"]


@pytest.mark.parametrize("env", [{"TONGBAN_DEBUG": "true"}, {"TONGBAN_DEMO": "true"}])
def test_production_refuses_debug_and_the_demo(tmp_path, env):
    done = run("from django.conf import settings; settings.DEBUG", tmp_path, **PRODUCTION, **env)
    assert done.returncode == 1
    assert f"TONGBAN_PROFILE=production refuses {next(iter(env))}=true" in done.stderr


def test_production_refuses_to_build_the_demo_accounts(tmp_path):
    done = run(["manage.py", "demo", "--no-serve"], tmp_path, **PRODUCTION)
    assert done.returncode == 1
    assert "tongban demo does not run with TONGBAN_PROFILE=production" in done.stderr
    with sqlite3.connect(tmp_path / "data" / "tongban.sqlite3") as db:  # nothing was migrated
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A data dir with a migrated database: drf-spectacular's deploy check builds the API
    schema, which reads the codes it lists (api.schemas.CodeFieldSchema)."""
    path = tmp_path_factory.mktemp("deployed")
    done = run(["manage.py", "migrate", "--skip-checks"], path, **PRODUCTION)
    assert done.returncode == 0, done.stderr
    return path


def test_check_deploy_with_the_production_profile_prints_no_warning(migrated):
    done = run(["manage.py", "check", "--deploy"], migrated, **PRODUCTION)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr
    assert "WARNING" not in done.stdout + done.stderr


def test_check_deploy_without_it_names_what_is_missing(migrated):
    # The same command does fail: the profile above is what makes it clean.
    done = run(["manage.py", "check", "--deploy"], migrated, TONGBAN_EMAIL_BACKEND="smtp",
               TONGBAN_ALLOWED_HOSTS="tongban.example.org")  # fmt: skip
    out = done.stdout + done.stderr
    for check in ("security.W004", "security.W008", "security.W010", "tongban.security.W016"):
        assert check in out, out


HTTP = """
import django, json
django.setup()
from django.test import Client
out = {}
for name, client, kwargs in [
    ("http", Client(HTTP_HOST="tongban.example.org"), {}),
    ("https", Client(HTTP_HOST="tongban.example.org"), {"secure": True}),
    ("proxied", Client(HTTP_HOST="tongban.example.org", HTTP_X_FORWARDED_PROTO="https"), {}),
]:
    r = client.get("/static/tongban/app.css", **kwargs)
    out[name] = [r.status_code, r.get("Location"), r.get("Strict-Transport-Security")]
print(json.dumps(out))
"""


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_production_redirects_to_https_and_sends_hsts(tmp_path, behind_proxy):
    env = {**PRODUCTION, "TONGBAN_BEHIND_PROXY": str(behind_proxy).lower()}
    done = run(HTTP, tmp_path, **env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    hsts = "max-age=31536000; includeSubDomains; preload"
    assert out["http"][:2] == [301, "https://tongban.example.org/static/tongban/app.css"]
    assert out["https"] == [200, None, hsts]
    # Only a proxy the operator names is believed about the scheme.
    assert out["proxied"] == ([200, None, hsts] if behind_proxy else out["http"])
