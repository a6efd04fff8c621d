from __future__ import annotations

from pathlib import Path

import pytest
from helpers import SOFFICE, make_bloc, make_templates

from thidua_xlsx.core.model import Bloc


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SOFFICE is None:
        skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed")
        for item in items:
            if "libreoffice" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def default_bloc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Bloc]:
    """The shipped default bloc: (khoi.xlsx path, Bloc). Do not modify the file."""
    return make_bloc(tmp_path_factory.mktemp("bloc"))


@pytest.fixture(scope="session")
def default_templates(default_bloc: tuple[Path, Bloc], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One template per unit of the default bloc, by unit code. Do not modify the files."""
    return make_templates(default_bloc[1], tmp_path_factory.mktemp("mau"))
