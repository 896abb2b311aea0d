"""Accessibility checks (axe-core through Playwright)."""
