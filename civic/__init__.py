"""Civic: KPI dashboard of Chinese city data, every figure traceable to its source."""
