"""``python -m krm.catalogue > docs/catalogue.md``: write the catalogue page."""

import sys

from krm.catalogue import markdown

sys.stdout.write(markdown())
