"""The catalogue of bad inputs (issue: no silently wrong number from bad input)."""
