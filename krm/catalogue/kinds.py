"""The two severities a catalogue row can have (the second field of each row)."""

E = "error"
W = "warning"
