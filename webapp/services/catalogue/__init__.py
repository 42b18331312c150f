"""The catalogue of practice bases (venues): searching it, editing it, caching its results,
drawing it on maps and exporting it as the bureau's directory list."""
