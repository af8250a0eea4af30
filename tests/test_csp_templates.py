"""What the Content-Security-Policy (settings.SECURE_CSP) asks of the templates and static files:
no inline script, style block, style attribute, event handler or javascript: URL (a page's code
lives in static files: desk/desk.js, portal/portal.js, stats/dashboard.js); a nonce on the few
inline blocks of pages we do not write; a CSRF token in every form that posts; and the hashes of
the styles frappe-charts inserts, checked against the file."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(
    [*ROOT.glob("templates/**/*.html"), *ROOT.glob("tongban/**/templates/**/*.html")]
)
# Rendered by WeasyPrint into a PDF (cases.notices.notice_pdf), never sent to a browser.
NOT_A_PAGE = {"tongban/cases/templates/cases/notice.html",
              "tongban/cases/templates/cases/bundle_notice.html"}  # a bundle's notices (一件事)
NONCE = 'nonce="{{ csp_nonce }}"'

INLINE = {
    "an inline <script>": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I
    ),
    "a <style> block": re.compile(r"<style\b[^>]*>", re.I),
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "an event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def _pages():
    return [t for t in TEMPLATES if str(t.relative_to(ROOT)) not in NOT_A_PAGE]


def test_the_templates_were_found():
    names = {str(t.relative_to(ROOT)) for t in TEMPLATES}
    assert {"templates/base.html", "tongban/desk/templates/desk/policies.html",
            "tongban/portal/templates/portal/receipt.html"} <= names  # fmt: skip


@pytest.mark.parametrize("what", INLINE)
def test_no_template_carries_inline_code(what):
    found = []
    for template in _pages():
        for match in INLINE[what].finditer(template.read_text()):
            if NONCE not in match.group(0):
                found.append(f"{template.relative_to(ROOT)}: {match.group(0)[:80]}")
    assert found == [], f"{what} the CSP refuses; move it to a static file"


def test_the_patterns_find_what_they_look_for():
    samples = {
        "an inline <script>": '<script>alert(1)</script> <script type="module">',
        "a <style> block": "<style>p{}</style>",
        "a style attribute": '<p class="x" style="color:red">',
        "an event handler": '<select name="item" onchange="this.form.submit()">',
        "a javascript: URL": '<a href="javascript:void(0)">',
    }
    for what, sample in samples.items():
        assert INLINE[what].search(sample), what
    assert not INLINE["an inline <script>"].search('<script src="/static/a.js" defer></script>')
    assert not INLINE["an inline <script>"].search('<script id="x" type="application/json">')
    assert not INLINE["an event handler"].search('<button class="btn" data-print type="button">')


def test_every_form_that_posts_carries_a_csrf_token():
    missing = []
    for template in TEMPLATES:
        text = template.read_text()
        for form in re.finditer(r"<form\b[^>]*>", text, re.I):
            if not re.search(r"""method=["']?post""", form.group(0), re.I):
                continue
            end = text.find("</form>", form.end())
            if "{% csrf_token %}" not in text[form.end() : end if end > 0 else None]:
                missing.append(f"{template.relative_to(ROOT)}: {form.group(0)[:80]}")
    assert missing == []


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_frappe_charts_hashes_match_the_file():
    """frappe-charts passes its stylesheet to a function that puts it into a <style> element;
    a new version of the file needs new hashes in settings.FRAPPE_CHARTS_CSS."""
    js = (ROOT / "tongban/desk/static/stats/frappe-charts.min.umd.js").read_text()
    start = js.index("}('", js.index('createElement("style")')) + 3
    css = js[start : js.index("')", start)]
    assert "\\" not in css and css.startswith(".chart-container{")
    assert '<strong style="display: block;">' in js  # its tooltip's markup
    expected = ["'unsafe-hashes'", _sha256(""), _sha256(css), _sha256("display: block;")]
    assert settings.FRAPPE_CHARTS_CSS == expected
    assert settings.SECURE_CSP["style-src"][-len(expected) :] == expected
