"""Fill a gettext catalogue from a table of translations (each catalogue's locale/fill_en.py);
`tongban translations` runs it between makemessages and msgfmt.

A plural msgid maps to a (singular, plural) pair. Strings not in the table stay untranslated
(shown in the source language) and are listed on stdout; `extra` names table entries that
makemessages cannot find (labels passed through {% trans var %}) and are appended."""

import re
from pathlib import Path

STR = r'(?:"(?:[^"\\]|\\.)*"\s*)+'
ENTRY = re.compile(
    rf"^msgid (?P<id>{STR})(?:msgid_plural (?P<pl>{STR}))?"
    rf"(?:msgstr (?P<str>{STR})|msgstr\[0\] (?P<s0>{STR})msgstr\[1\] (?P<s1>{STR}))",
    re.M,
)


def _unquote(block: str) -> str:
    raw = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
    return raw.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def po_fill(path: Path, table: dict, *, extra=(), language: str = "en") -> int:
    """Fill `path` from `table`; returns how many msgids stayed untranslated."""
    text = path.read_text(encoding="utf-8")
    text = text.replace('#, fuzzy\nmsgid ""', 'msgid ""', 1)
    text = text.replace('"Language: \\n"', f'"Language: {language}\\n"', 1)
    missing = []

    def repl(m):
        msgid = _unquote(m.group("id"))
        if not msgid:
            return m.group(0)
        translation = table.get(msgid)
        if translation is None:
            missing.append(msgid)
            return m.group(0)
        head = f"msgid {m.group('id')}"
        trail = m.group(0)[len(m.group(0).rstrip()) :]  # keep the blank line between entries
        if m.group("pl"):
            one, many = translation if isinstance(translation, tuple) else (translation,) * 2
            return f"{head}msgid_plural {m.group('pl')}msgstr[0] {_quote(one)}\nmsgstr[1] {_quote(many)}{trail}"
        return f"{head}msgstr {_quote(translation)}{trail}"

    text = ENTRY.sub(repl, text)
    # A fuzzy guess of msgmerge's (with the previous msgid under "#|") is replaced by the table.
    text = re.sub(r"^#, fuzzy.*\n(?=(?:#.*\n)*(?:msgctxt|msgid))", "", text, flags=re.M)
    text = re.sub(r"^#\| .*\n", "", text, flags=re.M)
    known = {_unquote(m.group("id")) for m in ENTRY.finditer(text)}
    text += "".join(
        f"\nmsgid {_quote(k)}\nmsgstr {_quote(table[k])}\n" for k in sorted(extra) if k not in known
    )
    path.write_text(text, encoding="utf-8")
    for m in missing:
        print("untranslated:", m)
    return len(missing)
