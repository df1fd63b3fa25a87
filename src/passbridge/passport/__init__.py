"""passport."""
