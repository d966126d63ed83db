"""Adapters between dimsekit messages and other DICOM toolkits.

Each adapter is a module of its own that imports its toolkit only when it is imported
itself, so dimsekit never depends on them: ``dimsekit.interop.pynetdicom`` needs the
``dimsekit[pynetdicom]`` extra.
"""
