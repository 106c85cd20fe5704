"""Bundled cases: the facts, sources and reconstructions behind ``crossfoot demo``."""
