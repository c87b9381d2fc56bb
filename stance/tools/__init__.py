"""Analyst tools built on the classifier: evaluation against labels,
explanations, interactive labelling, rule statistics and diffs, and
uncovered phrases. The top layer under the command line."""
