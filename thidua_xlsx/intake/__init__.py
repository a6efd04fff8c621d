"""Reading what units send: walk the inbox, open each file safely in supervised workers,
read scores and data into issues."""
