"""The demo portal's secret and key reach the CMS (Makefile) and the portal (frontend/serve.sh) alike.

An explicitly set environment variable wins, then `.env` beside manage.py, then var/demo-portal.env: run by
the real shell, make and serve.sh (with stand-ins for npm and npx, which would build and start Next.js).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILE_SECRET, FILE_KEY = "whsec_ZnJvbS1maWxl", "fe_0000000000000000_from-file"
NAMES = ("DEMO_PORTAL_WEBHOOK_SECRET", "DEMO_PORTAL_API_KEY", "CMS_WEBHOOK_SECRET", "CMS_API_KEY")


@pytest.fixture
def checkout(tmp_path):
    """A folder with the sourced script, a var/demo-portal.env as make run writes it, and room for a .env."""
    (tmp_path / "frontend").mkdir()
    shutil.copy(ROOT / "frontend" / "demo-portal-env.sh", tmp_path / "frontend")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "demo-portal.env").write_text(
        f"DEMO_PORTAL_WEBHOOK_SECRET={FILE_SECRET}\nDEMO_PORTAL_API_KEY={FILE_KEY}\n"
    )
    return tmp_path


def clean_environment(**extra):
    env = {name: value for name, value in os.environ.items() if name not in NAMES and not name.startswith("MAKE")}
    return {**env, **extra}


def registered_by_make(checkout, **env) -> list[str]:
    """What `make run` gives load_demo_content: its recipe line, run with a PY that prints the two values."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("no make")
    dry_run = subprocess.run([make, "-n", "run", "PY=PY"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next(line for line in dry_run.splitlines() if "load_demo_content" in line)
    printer = checkout / "print-env"
    printer.write_text('#!/bin/sh\necho "$DEMO_PORTAL_WEBHOOK_SECRET $DEMO_PORTAL_API_KEY"\n')
    printer.chmod(0o755)
    line = line.replace("PY manage.py", f"{printer} manage.py")
    shell = subprocess.run(
        ["/bin/sh", "-c", line], cwd=checkout, env=clean_environment(**env), capture_output=True, text=True
    )
    assert shell.returncode == 0, shell.stderr
    return shell.stdout.split()


def test_the_file_make_run_wrote_is_used_when_nothing_else_says(checkout):
    assert registered_by_make(checkout) == [FILE_SECRET, FILE_KEY]


def test_dot_env_wins_over_the_file(checkout):
    (checkout / ".env").write_text("# demo\nexport DEMO_PORTAL_WEBHOOK_SECRET='whsec_ZG90LWVudg=='\n")

    assert registered_by_make(checkout) == ["whsec_ZG90LWVudg==", FILE_KEY]


def test_the_environment_wins_over_dot_env_and_the_file(checkout):
    (checkout / ".env").write_text("DEMO_PORTAL_API_KEY=fe_1111111111111111_dot-env\n")

    registered = registered_by_make(checkout, DEMO_PORTAL_API_KEY="fe_2222222222222222_environment")

    assert registered == [FILE_SECRET, "fe_2222222222222222_environment"]


def started_portal(checkout, **env) -> list[str]:
    """The CMS_* values frontend/serve.sh starts the portal with (npx stands in for next start)."""
    if (ROOT / ".env").exists() and "DEMO_PORTAL_" in (ROOT / ".env").read_text():
        pytest.skip("this checkout's .env sets the demo portal's values")
    if shutil.which("node") is None:
        pytest.skip("serve.sh serves nothing without Node.js")
    bin_dir = checkout / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "npx").write_text('#!/bin/sh\necho "$CMS_WEBHOOK_SECRET $CMS_API_KEY"\n')
    for tool in ("npm", "npx"):
        (bin_dir / tool).chmod(0o755)
    environment = clean_environment(
        PATH=f"{bin_dir}:{os.environ['PATH']}", DEMO_PORTAL_ENV=str(checkout / "var" / "demo-portal.env"), **env
    )
    started = subprocess.run(
        [str(ROOT / "frontend" / "serve.sh")], env=environment, capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 0, started.stderr
    return started.stdout.splitlines()[-1].split()


def test_serve_sh_gives_the_portal_the_file_when_nothing_else_says(checkout):
    assert started_portal(checkout) == [FILE_SECRET, FILE_KEY]


def test_serve_sh_lets_the_environment_win(checkout):
    started = started_portal(checkout, DEMO_PORTAL_WEBHOOK_SECRET="whsec_ZW52", CMS_API_KEY="fe_3333333333333333_cms")

    assert started == ["whsec_ZW52", "fe_3333333333333333_cms"]
