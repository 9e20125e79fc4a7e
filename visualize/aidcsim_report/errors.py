"""Errors the report command tells apart: bad input (exit 2) and a missing tool or package (exit 1)."""


class BadInput(Exception):
    """The input is not what the report can read: names the file, the HDF5 path or option, and what was expected."""


class MissingTool(Exception):
    """A program or Python package the report needs is not installed; the message says which package to install."""
