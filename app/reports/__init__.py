"""Reports for leadership: the same templates as a page in the browser and as a PDF."""
