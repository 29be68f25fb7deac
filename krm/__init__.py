"""krm: templates, validation, roll-ups and reports for Kazakhstan's job-creation monitoring forms КРМ-1 … КРМ-7."""

__version__ = "0.1.0"
