"""Records and rules every layer shares: the bloc model, issues, report, labels, numbers, text.

Imports nothing else of ours."""
