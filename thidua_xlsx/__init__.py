"""thidua-xlsx: collect, check and rank the self-scoring returns of an emulation bloc."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
