"""Simulate the provider APIs on loopback, serving real textured models it makes itself: the default for tests and the demo."""
