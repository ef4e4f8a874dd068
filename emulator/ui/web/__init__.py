"""The inspector page: HTML, CSS and plain JavaScript, served as they are."""
