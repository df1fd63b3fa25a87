"""Settings: file < environment < flags, and wrong values name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from passbridge.errors import ConfigurationError
from passbridge.settings import NodeRole, load_settings


def test_flags_beat_environment_beat_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "node.toml"
    config.write_text('port = 9100\nhost = "127.0.0.2"\nnode_name = "from file"\nroles = ["company", "authority"]\n')
    monkeypatch.setenv("PASSBRIDGE_PORT", "9200")
    settings = load_settings(config)
    assert settings.port == 9200 and settings.host == "127.0.0.2" and settings.node_name == "from file"
    assert settings.roles == (NodeRole.COMPANY, NodeRole.AUTHORITY)
    assert load_settings(config, port=9300).port == 9300


def test_defaults_put_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{(tmp_path / 'passbridge.db').resolve()}"
    assert settings.effective_public_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(("content", "key"), [("port = 0", "port"), ("colour = 'red'", "colour"), ("port = [", "")])
def test_a_wrong_setting_is_named(tmp_path: Path, content: str, key: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(config)
    assert key in str(caught.value)
