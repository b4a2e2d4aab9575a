"""Provider Training: the modules offices must complete, and each user's attestations."""
