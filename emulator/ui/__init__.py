"""The inspector: a web page over the journal and the controls."""
