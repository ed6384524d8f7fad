"""Which Chromium the browser tests launch (tests/chromium.py): Debian's where it is installed,
else the one `playwright install chromium` downloads, else a message saying how to get one."""

from types import SimpleNamespace

import chromium
import pytest

from tfjs_kombat.errors import UserError


def playwright_with_its_chromium_at(path):
    """What chromium_executable reads of a Playwright: where its own Chromium is (or would be)."""
    return SimpleNamespace(chromium=SimpleNamespace(executable_path=str(path)))


def installed(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    return path


def test_debians_chromium_comes_first(tmp_path, monkeypatch):
    debian = installed(tmp_path / "usr" / "bin" / "chromium")
    monkeypatch.setattr(chromium, "DEBIAN_CHROMIUM", debian)
    bundled = installed(tmp_path / "ms-playwright" / "chrome")
    assert chromium.chromium_executable(playwright_with_its_chromium_at(bundled)) == debian


def test_without_debians_chromium_playwrights_own_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(chromium, "DEBIAN_CHROMIUM", tmp_path / "usr" / "bin" / "chromium")
    bundled = installed(tmp_path / "ms-playwright" / "chrome")
    assert chromium.chromium_executable(playwright_with_its_chromium_at(bundled)) == bundled


def test_without_any_chromium_the_error_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setattr(chromium, "DEBIAN_CHROMIUM", tmp_path / "usr" / "bin" / "chromium")
    never_downloaded = playwright_with_its_chromium_at(tmp_path / "ms-playwright" / "chrome")
    with pytest.raises(UserError, match=r"apt-get install chromium.*playwright install chromium"):
        chromium.chromium_executable(never_downloaded)
