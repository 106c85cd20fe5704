"""Example input files for `crossfoot tco`, `crossfoot fund` and `crossfoot check`."""
