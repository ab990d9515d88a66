"""Which class an adapter name means: built-ins directly, other names through entry points."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.contract import install_plugins
from triage_tui.adapters import registry
from triage_tui.adapters.local.adapter import LocalHelpdesk
from triage_tui.domain.errors import ConfigError


class Impostor(LocalHelpdesk):
    name = "impostor"


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed third-party package registering ``local`` and ``extra``."""
    install_plugins(
        tmp_path,
        monkeypatch,
        {
            "local": f"{__name__}:Impostor",
            "extra": f"{__name__}:Impostor",
            "broken": "triage_tui.no_such_module:Nothing",
        },
    )
    return tmp_path


def test_a_built_in_name_is_never_taken_over_by_a_plugin(plugin_site: Path) -> None:
    assert registry.load("local") is LocalHelpdesk


def test_other_names_come_from_the_entry_points(plugin_site: Path) -> None:
    assert registry.load("extra") is Impostor
    names = registry.available()
    assert names.count("local") == 1 and "extra" in names and "zendesk" in names
    with pytest.raises(ConfigError, match=r"^adapter 'broken' failed to load: "):
        registry.load("broken")


def test_an_unknown_name_lists_what_is_installed(plugin_site: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        registry.load("nope")
    assert str(caught.value) == (
        "unknown adapter 'nope'; installed adapters: "
        "broken, django_helpdesk, extra, gleap, local, rt, zendesk"
    )


def test_every_built_in_loads_as_registered_in_the_package_metadata() -> None:
    from importlib.metadata import entry_points

    ours = {
        ep.name: ep
        for ep in entry_points(group=registry.GROUP)
        if ep.module.startswith("triage_tui.")
    }
    if not ours:
        pytest.skip("triage-tui is not installed (no entry-point metadata)")
    assert set(ours) == set(registry._BUILTINS)
    for name, ep in ours.items():
        assert registry.load(name) is ep.load()
