"""ecosystems/catenax."""
