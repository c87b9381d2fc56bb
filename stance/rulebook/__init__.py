"""The rulebook: YAML rule files loaded and checked, their patterns, the
matcher that finds signal hits, actors, and rule examples run as tests.
Above `text`; it never imports the model or scikit-learn."""
