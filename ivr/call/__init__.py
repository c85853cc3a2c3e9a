"""One call: the session that glues recognition, understanding, dialog and storage together."""
