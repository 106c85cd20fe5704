"""The package imports, the CLI answers --version, and a bad flag is a one-line error."""

import subprocess
import sys

import crossfoot


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossfoot", *args], capture_output=True, text=True)


def test_version_flag_prints_package_version():
    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"crossfoot {crossfoot.__version__}"


def test_unknown_flag_is_one_line_error_with_exit_code_2():
    out = run("--no-such-flag")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "No such option: --no-such-flag" in out.stderr
