"""Development tools: bootstrap, demo, build and test helpers. Excluded from the built extension."""
