"""ecosystems."""
