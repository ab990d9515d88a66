"""The wheel a user installs (``pipx install``, ``pip install triage-tui``) works.

The wheel is built from a copy of the sources, installed (not editable) into a
fresh virtual environment, and run from a folder outside the checkout, so the
console can only find what the wheel carries: its modules, the SQL schema, the
templates and macros, and the themes, which the repository keeps in the
top-level ``themes/`` folder and the wheel packages as ``triage_tui/themes``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "tests" / "cli" / "first_screen_probe.py"
SHIPPED_THEMES = sorted(p.stem for p in (ROOT / "themes").glob("*.toml"))

pytestmark = pytest.mark.wheel


def _can_build_without_isolation() -> bool:
    """setuptools builds wheels by itself from 70.1; before that it needs ``wheel``."""
    try:
        major, minor, *_ = (int(part) for part in metadata.version("setuptools").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    if (major, minor) >= (70, 1):
        return True
    try:
        metadata.version("wheel")
    except metadata.PackageNotFoundError:
        return False
    return True


def _run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(part) for part in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))}\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}"
    )
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A copy, so the build's build/ and *.egg-info never land in the checkout.
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("triage_tui", "themes"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    # Offline with the test environment's setuptools when it can build wheels;
    # otherwise pip fetches the build backend as `pip install` would.
    isolation = ["--no-build-isolation"] if _can_build_without_isolation() else []
    _run(
        sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation, "-w", out, src, cwd=src
    )
    (built,) = out.glob("triage_tui-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; its dependencies come from this test
    environment's site-packages (a path in a .pth file: no download, and that
    folder's own .pth files, the editable install's among them, are not run)."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    python = venv / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=venv.parent,
    )
    fresh_site = Path(
        _run(
            python,
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            cwd=venv.parent,
        ).strip()
    )
    (fresh_site / "zz_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return venv


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRIAGE_", "TEXTUAL", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(TRIAGE_CONFIG_DIR=str(home / "config"), TRIAGE_DATA_DIR=str(home / "data"))
    return env


def test_the_wheel_carries_every_module_and_the_themes(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "triage_tui").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    missing = sorted(sources - names)
    assert not missing, f"not in the wheel (pyproject.toml [tool.setuptools] packages?): {missing}"
    assert {f"triage_tui/themes/{name}.toml" for name in SHIPPED_THEMES} <= names


def test_the_installed_console_starts_with_the_shipped_themes(
    installed: Path, tmp_path: Path
) -> None:
    bin_dir = installed / "bin"
    env = _env(tmp_path)
    # Outside the checkout: nothing but the installed package can be imported.
    where = _run(
        bin_dir / "python",
        "-c",
        "import triage_tui; print(triage_tui.__file__)",
        cwd=tmp_path,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(installed), where
    assert "demo" in _run(bin_dir / "triage", "--help", cwd=tmp_path, env=env)
    db = tmp_path / "demo.db"
    _run(bin_dir / "triage", "demo", "--tickets", "40", "--db", db, cwd=tmp_path, env=env)
    for theme in SHIPPED_THEMES:
        out = _run(bin_dir / "python", PROBE, "--db", db, "--theme", theme, cwd=tmp_path, env=env)
        seen = json.loads(out.strip().splitlines()[-1])
        assert seen["code"] == 0 and seen["rows"] > 0
        assert seen["theme"] == theme
        assert seen["theme_warnings"] == []
