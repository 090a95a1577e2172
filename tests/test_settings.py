import gc
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from models.settings import Settings, SettingsError, load_settings
from server import create_app

PROJECT = Path(__file__).resolve().parent.parent


def test_development_generates_a_secret_once_readable_only_by_its_owner(tmp_path):
    secret_file = tmp_path / "nested" / "jwt_secret"

    first = load_settings(jwt_secret_file=secret_file).secret
    second = load_settings(jwt_secret_file=secret_file).secret

    assert first == second
    assert len(first) >= 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_production_refuses_to_start_without_a_secret(tmp_path):
    with pytest.raises(SettingsError, match="JWT_SECRET is required in production"):
        load_settings(environment="production", jwt_secret_file=tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_a_short_secret_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_settings(environment="production", jwt_secret="too-short")


def test_a_strong_secret_is_accepted_in_production():
    settings = load_settings(
        environment="production", jwt_secret="s" * 48, payment_provider="simulator"
    )

    assert settings.secret == "s" * 48


def test_cors_origins_are_read_as_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://app.example.com, https://m.example.com")

    assert Settings().cors_origins == ["https://app.example.com", "https://m.example.com"]


def test_an_unknown_environment_is_refused():
    with pytest.raises(SettingsError, match="environment"):
        load_settings(environment="staging")


def test_the_server_says_why_it_cannot_start_in_one_line(tmp_path):
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
    }
    env.pop("JWT_SECRET", None)

    result = subprocess.run(
        [sys.executable, "server.py", "migrate"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("gigstream: cannot start: JWT_SECRET is required")


async def test_the_app_collects_its_young_generation_as_configured(settings):
    before = gc.get_threshold()
    app = create_app(settings.model_copy(update={"gc_young_threshold": 12_345}))
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_threshold() == (12_345, *before[1:])
    finally:
        gc.set_threshold(*before)
