"""leadlens: a command-line diagnostic toolkit for systems leadership."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
