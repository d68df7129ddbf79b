"""Where batch analysis runs: ``local`` (numpy/scipy, the default) and, later, ``spark``."""
