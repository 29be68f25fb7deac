"""From bytes on disk to what the rules read: which files are workbooks (:mod:`krm.intake.discover`)."""
