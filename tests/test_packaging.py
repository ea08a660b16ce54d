"""A wheel built from the repository works in a fresh virtual environment outside the repository."""

import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_installs_and_runs_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True)
    [wheel] = dist.glob("pic_euralens-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True, cwd=tmp_path)
    pic = env_dir / "bin" / "pic"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {"PIC_DATA_DIR": str(outside / "data"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def run(*args):
        result = subprocess.run([str(pic), *args], cwd=outside, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "load" in run("--help")
    assert "Loaded" in run("init", "--demo")
    assert "150" in run("stats")
    # the modules come from the installed wheel, not from the repository
    where = subprocess.run([str(python), "-c", "import pic.graph; print(pic.graph.__file__)"],
                           cwd=outside, capture_output=True, text=True, check=True).stdout
    assert str(env_dir) in where and str(REPO) not in where
