"""ecosystems/idta."""
