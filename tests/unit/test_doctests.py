"""The examples in the docstrings of the shell modules run as tests."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from yibao.api import contract
from yibao.policy import catalogue_registry
from yibao.settle import route


@pytest.mark.parametrize("module", [catalogue_registry, route, contract])
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
