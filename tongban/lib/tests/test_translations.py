"""Every message people read has its English: the catalogues are complete and compiled, each
string marked in the code is in one of them, and an English caller gets English messages
(with the same codes) where a Chinese one gets Chinese.

The catalogues are made by `tongban translations` (makemessages, the locale/fill_en.py table, msgfmt);
when a test here fails, that is usually the step that was left out."""

import ast
import gettext
import re
from datetime import date
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from conftest import PROMISED_FORM, PROMISED_ITEM
from tongban.api.tests.conftest import sign_in
from tongban.lib.identifiers import synthetic_resident_id

ROOT = Path(__file__).resolve().parents[2]  # the tongban package
CATALOGUES = sorted(ROOT.glob("**/locale/en/LC_MESSAGES/django.po"))
# The functions that mark a string, by how many arguments come before the message.
MARKERS = {"gettext": 0, "gettext_lazy": 0, "ngettext": 0, "ngettext_lazy": 0,
           "pgettext": 1, "pgettext_lazy": 1, "npgettext": 1, "npgettext_lazy": 1}  # fmt: skip
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _unquote(lines: list[str]) -> str:
    text = "".join(re.match(r'(?:msg\w+(?:\[\d\])? )?"(.*)"$', line).group(1) for line in lines)
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _entries(po: Path) -> list[dict]:
    """The entries of a .po file: refs (#: paths), ctx, id, plural and strs (every msgstr).
    An entry ends where the next one's comments or msgctxt/msgid begin, blank line or not."""
    entries, entry, key = [], None, None

    def new():
        return {"refs": [], "fields": {}}

    for line in po.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):
            continue
        starts = line.startswith("#") or line.startswith(("msgctxt ", "msgid "))
        if entry is None or (starts and any(k.startswith("msgstr") for k in entry["fields"])):
            entry = new()
            entries.append(entry)
        if line.startswith("#:"):
            entry["refs"] += [ref.rsplit(":", 1)[0] for ref in line[2:].split()]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry["fields"][key].append(line)
        else:
            key = line.split(" ", 1)[0]
            entry["fields"][key] = [line]
    out = []
    for entry in entries:
        fields = entry["fields"]
        if "msgid" not in fields or not _unquote(fields["msgid"]):
            continue  # the header
        out.append({
            "refs": entry["refs"],
            "ctx": _unquote(fields["msgctxt"]) if "msgctxt" in fields else None,
            "id": _unquote(fields["msgid"]),
            "plural": _unquote(fields["msgid_plural"]) if "msgid_plural" in fields else None,
            "strs": [_unquote(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")],
        })  # fmt: skip
    return out


def _from_code(ref: str) -> bool:
    path = Path(ref)
    return path.suffix == ".py" and "tests" not in path.parts and not path.name.startswith("test")


def _name(po: Path) -> str:
    return str(po.relative_to(ROOT.parent))


def test_there_are_catalogues_for_the_apps_and_the_project():
    found = {po.relative_to(ROOT).parts[0] for po in CATALOGUES}
    assert {"locale", "api", "cases", "catalog", "desk", "portal", "stats"} <= found, found


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_every_message_of_the_code_has_its_english(po):
    missing = [
        e["id"]
        for e in _entries(po)
        if any(map(_from_code, e["refs"])) and not all(s.strip() for s in e["strs"])
    ]
    assert not missing, f"{_name(po)}: no English for {missing}; fill locale/fill_en.py"


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_translations_keep_the_placeholders(po):
    wrong = [
        (e["id"], s)
        for e in _entries(po)
        for s in e["strs"]
        if s and set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(e["id"]))
    ]
    assert not wrong, f"{_name(po)}: placeholders differ in {wrong}"


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_the_compiled_catalogue_is_up_to_date(po):
    with open(po.with_suffix(".mo"), "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    stale = []
    for e in _entries(po):
        key = f"{e['ctx']}\x04{e['id']}" if e["ctx"] is not None else e["id"]
        if not any(e["strs"]):  # msgfmt leaves untranslated entries out
            if key in compiled or (key, 0) in compiled:
                stale.append(e["id"])
            continue
        if e["plural"] is None:
            if compiled.get(key) != e["strs"][0]:
                stale.append(e["id"])
        elif [compiled.get((key, n)) for n in range(len(e["strs"]))] != e["strs"]:
            stale.append(e["id"])
    assert not stale, f"{_name(po)}: the .mo differs from the .po for {stale}; run msgfmt"


def test_one_message_has_one_english_in_every_catalogue():
    """Django merges the catalogues and the first app's translation wins, silently."""
    seen: dict[tuple, tuple[str, list]] = {}
    clashes = []
    for po in CATALOGUES:
        for e in _entries(po):
            if not any(e["strs"]):
                continue
            key = (e["ctx"], e["id"])
            if key in seen and seen[key][1] != e["strs"]:
                clashes.append((e["id"], seen[key][0], seen[key][1], _name(po), e["strs"]))
            seen.setdefault(key, (_name(po), e["strs"]))
    assert not clashes, clashes


def _marked_strings(path: Path):
    """(line, context, message, problem) of every call that marks a string in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for name in node.names:
                if name.name in MARKERS:
                    aliases[name.asname or name.name] = MARKERS[name.name]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        if isinstance(func, ast.Attribute) and func.attr in MARKERS:
            name, before = func.attr, MARKERS[func.attr]
        elif name in aliases:
            before = aliases[name]
        else:
            continue
        if len(node.args) <= before:
            continue
        arg = node.args[before]
        context = node.args[0].value if before and isinstance(node.args[0], ast.Constant) else None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            yield node.lineno, context, arg.value, None
        elif isinstance(arg, ast.JoinedStr | ast.BinOp) or (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Attribute)
            and isinstance(arg.func.value, ast.Constant)
        ):  # _(f"..."), _("..." % x), _("...".format(x)): the msgid would be the result
            yield node.lineno, context, None, "formatted before it is translated"


def _code_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "locale" in parts or "migrations" in parts:
            continue
        yield path


def test_every_string_marked_in_the_code_is_in_a_catalogue_with_its_english():
    translated = {(e["ctx"], e["id"]) for po in CATALOGUES for e in _entries(po) if all(e["strs"])}
    missing, wrong = [], []
    for path in _code_files():
        for line, context, message, problem in _marked_strings(path):
            where = f"{path.relative_to(ROOT.parent)}:{line}"
            if problem:
                wrong.append(f"{where}: {problem}")
            elif (context, message) not in translated:
                missing.append(f"{where}: {message}")
    assert not wrong, wrong
    assert not missing, (
        f"add English to locale/fill_en.py and run `tongban translations` for: {missing}"
    )


# --- What a caller reads -------------------------------------------------------------------

ONLINE = {"item": PROMISED_ITEM, "channel": "web", "materials": ["M1", "M2", "M3", "M4"],
          "form": PROMISED_FORM}  # fmt: skip
NEW_PERSON = synthetic_resident_id(region="371522", birth=date(1948, 5, 4), seq=3)
WRONG_CHECK_DIGIT = NEW_PERSON[:17] + ("0" if NEW_PERSON[17] != "0" else "1")


def _client(user) -> APIClient:
    client = APIClient()
    client.default_format = "json"
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {sign_in(client, user)}")
    return client


def _error(response, status: int) -> tuple[str, str]:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    return body["code"], body["message"]


LANGUAGES = {  # Accept-Language -> what the messages below read
    "en": {
        "item": "Item 'YB99999' does not exist",
        "id": "The check digit of the resident ID number is wrong",
        "status": re.compile(r"The case is “Accepted”: “Accept” is not possible now"),
    },
    "zh-hans": {
        "item": "事项 'YB99999' 不存在",
        "id": "身份证号码校验位错误",
        "status": re.compile(r"办件当前状态为“已受理”，不能执行“受理”"),
    },
    None: {  # no header: the default, Chinese
        "item": "事项 'YB99999' 不存在",
        "id": "身份证号码校验位错误",
        "status": re.compile(r"办件当前状态为“已受理”，不能执行“受理”"),
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_the_api_answers_in_the_callers_language_with_the_same_codes(language, carol, dave,
                                                                      alice, accepted_case):  # fmt: skip
    expected = LANGUAGES[language]
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}

    response = _client(carol).post("/api/v1/cases", {**ONLINE, "item": "YB99999"}, **headers)
    assert _error(response, 400) == ("unknown_item", expected["item"])

    applicant = {"id_number": WRONG_CHECK_DIGIT, "name": "张大爷", "insured_region": "371522"}
    response = _client(dave).post("/api/v1/cases", {**ONLINE, "applicant": applicant}, **headers)
    assert _error(response, 400) == ("id_number_checksum", expected["id"])

    response = _client(alice).post(
        f"/api/v1/cases/{accepted_case.number}/actions/accept", {}, **headers
    )
    code, message = _error(response, 409)
    assert code == "transition_not_allowed" and expected["status"].fullmatch(message), message


@pytest.mark.django_db
def test_the_language_cookie_works_for_a_signed_in_browser_too(client, alice, accepted_case):
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    response = client.post(f"/api/v1/cases/{accepted_case.number}/actions/accept", {},
                           content_type="application/json")  # fmt: skip
    code, message = _error(response, 409)
    assert code == "transition_not_allowed" and message.startswith("The case is"), message


def test_tongban_translations_rebuilds_every_catalogue():
    """The one command knows every catalogue in the tree, the project's (lib's) included."""
    from pathlib import Path

    from tongban.ops.management.commands.translations import catalogues

    root = Path(__file__).resolve().parents[2]
    tables = {table for _source, table in catalogues()}
    assert tables == set(root.glob("**/locale/fill_en.py"))
    assert (root / "lib", root / "locale" / "fill_en.py") in catalogues()


# --- Nothing on screen without its English (#15) -------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")
# Text inside these is translated: {% trans %}, {% blocktrans %}…{% endblocktrans %}, _("…")
# as a filter argument, comments; |cut:"…" strips a suffix from data.
TRANSLATED = re.compile(
    r"\{%\s*(?:trans|translate)\s.*?%\}"
    r"|\{%\s*(?:blocktrans|blocktranslate)\b.*?%\}.*?\{%\s*end(?:blocktrans|blocktranslate)\s*%\}"
    r"|\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|_\(\"[^\"]*\"\)|\|cut:\"[^\"]*\"",
    re.S,
)
# Documents in Chinese whoever prints them (cases.notices renders them in Chinese).
CHINESE_DOCUMENTS = {"cases/notice.html", "cases/bundle_notice.html"}
TEMPLATES = sorted(
    p
    for p in [*ROOT.glob("*/templates/**/*.html"), *ROOT.parent.glob("templates/**/*.html")]
    if "/".join(p.parts[-2:]) not in CHINESE_DOCUMENTS
)


# Chinese on purpose in every language: the logo's character, the language switch's own name.
NOT_WORDS = ('<span class="mark">通</span>', 'value="zh-hans">中文</button>')


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_every_chinese_word_of_a_page_is_marked_for_translation(template):
    left = TRANSLATED.sub("", template.read_text(encoding="utf-8"))
    for snippet in NOT_WORDS:
        left = left.replace(snippet, "")
    bare = [line.strip() for line in left.splitlines() if CJK.search(line)]
    assert not bare, f"wrap in {{% trans %}} / {{% blocktrans %}}: {bare}"


def test_the_pages_scripts_carry_no_chinese_text():
    """Scripts take their words from the page (data-* attributes, json_script), in its language."""
    found = []
    for script in ROOT.glob("*/static/**/*.js"):
        if ".min." in script.name:
            continue
        for n, line in enumerate(script.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("//", 1)[0]
            if re.search(r"([\"'])[^\"']*[\u4e00-\u9fff][^\"']*\1", code):
                found.append(f"{script.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, found


def test_every_choice_people_read_is_translated():
    """Statuses, channels, roles, timeline steps, notice names, notification kinds…: every
    Chinese label of a model's choices reads in English in English."""
    from django.apps import apps
    from django.utils import translation

    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("tongban."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if not isinstance(label, str | type(translation.gettext_lazy(""))):
                    continue
                with translation.override("zh-hans"):
                    chinese = str(label)
                if not CJK.search(chinese):
                    continue
                with translation.override("en"):
                    english = str(label)
                if CJK.search(english):
                    missing.append(f"{model.__name__}.{field.name}={value}: {chinese}")
    assert not missing, missing


def test_the_figures_read_in_english():
    from django.utils import translation

    from tongban.stats.selectors import BREAKDOWNS, FIGURES, PRESETS

    with translation.override("en"):
        for table in (FIGURES, BREAKDOWNS, PRESETS):
            chinese = [str(v) for v in table.values() if CJK.search(str(v))]
            assert not chinese, chinese
        assert str(FIGURES["accepted"]) == "Accepted"  # not the desk's button "Accept"


def test_every_notification_event_has_a_name():
    from tongban.supervision import notifications
    from tongban.supervision.models import EVENTS, Level

    source = Path(notifications.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r"\"((?:case|rating)\.[a-z_]+)\"", source))
    codes |= {f"warning.{level}" for level in Level.values}
    assert codes and codes <= set(EVENTS), codes - set(EVENTS)
