"""A Spark session in local mode shared by the engine tests (Java from Debian, pyspark from PyPI).

Outside CI the tests skip when pyspark or Java is missing; in CI (``CI`` set) they must run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

NEEDS = "the Spark engine tests need pyspark (pip install -e '.[spark]') and Java 17+"


def _available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if not _available():
        if os.environ.get("CI"):
            pytest.fail(NEEDS)
        pytest.skip(NEEDS)
    from weakties.engines.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture
def kernels(spark: Any) -> Iterator[Any]:
    from weakties.engines.spark import SparkKernels

    with SparkKernels(spark) as k:
        yield k
