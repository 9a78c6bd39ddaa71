"""Bundled sample data (simulated survey answers, written interviews); shipped as toolkit._sample_data."""
