"""Pure domain records and rules: dataclasses, enums and normalisation; no I/O."""
