"""Bundled JSON Schemas (data only): see index.json for each file's URL, source and sha256."""
