"""The import contracts (pyproject.toml [tool.importlinter], docs/architecture.md): an app
imports only from the layers below it, and the modules of an app import each other without a
circle. `.ci/run` runs lint-imports too; these tests show that they hold and what breaks them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}  # this tree's tongban, not the installed one
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_layers_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "tongban", tmp_path / "tongban",
                    ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "tongban" / "workdays" / "services.py", "a") as f:
        f.write("\nfrom tongban.cases import models as _upward  # the calendar reaching up\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "tongban.workdays is not allowed to import tongban.cases" in result.stdout
    assert "tongban.workdays.services -> tongban.cases.models" in result.stdout


def test_a_circle_inside_an_app_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "tongban", tmp_path / "tongban",
                    ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "tongban" / "cases" / "access.py", "a") as f:
        f.write("\n\ndef _probe():\n    from .services import case_act  # a circle, even late\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "No cycles are allowed in tongban.cases." in result.stdout
