"""supplychain."""
