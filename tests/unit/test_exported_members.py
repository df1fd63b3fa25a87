"""Every module declares `__all__`, and every name in it exists (the public API is explicit)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import passbridge

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(passbridge.__path__, "passbridge.")
    if ".migrations" not in info.name and info.name != "passbridge.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_module_declares_its_public_names(name: str) -> None:
    module = importlib.import_module(name)
    if name.count(".") and not hasattr(module, "__file__"):
        pytest.fail(f"{name} is not a module")
    if module.__file__ and module.__file__.endswith("__init__.py"):
        return  # packages only document themselves
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    missing = [member for member in module.__all__ if not hasattr(module, member)]
    assert not missing, f"{name}.__all__ names missing members {missing}"
