"""The hostile-input corpus: files built to crash, hang or exhaust an importer, and their runner."""
