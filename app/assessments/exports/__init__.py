"""An assessment's downloads for spreadsheets: its answers and its results as CSV."""
