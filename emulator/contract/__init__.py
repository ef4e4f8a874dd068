"""The real API as data and words: catalog, eras, parameters, rules, errors, shapes, usage."""
