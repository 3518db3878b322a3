"""The version of leadlens: one place, read by the build (hatch), the package and the results
document it stamps."""

__version__ = "0.1.0"
