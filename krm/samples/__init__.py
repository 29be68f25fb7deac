"""A realistic, deterministic sample reporting month: `krm samples`.

Everything is derived from one integer seed.  Each (district, programme) slot has
its own random stream seeded by the text ``"{seed}:{district}:{programme}"``, so
the same seed gives the same workbooks byte for byte (write_form fixes the
document's other timestamps; the "modified" time is the simulated submission
time, drawn from the same stream).

Layout written under ``OUT`` (see docs/samples.md):

    OUT/<YYYY>/<region kato>-<region-en>/KRM-1_<district kato>_<PROGRAMME>.xlsx   yearly plans
    OUT/<YYYY-MM>/<region kato>-<region-en>/KRM-2_<district kato>_<PROGRAMME>.xlsx monthly facts
    OUT/<YYYY-MM>/faulty.json      the intentionally faulty workbooks -> intended finding
    OUT/<YYYY-MM>/samples.json     every file written, with the seed and the command

The model: a district (or city) administers a few programmes; under each it has a
yearly plan (KRM-1) of projects, and its KRM-2 for the month lists the projects of
that plan that have started by the end of the month, with cumulative facts.
Sizes are log-normal (many small projects, a few large ones).

The modules, in the order the generator uses them:

    model     the records (Project, Slot, Fault, SampleResult), seeded streams, month bounds
    people    BIN/IIN identifiers, names, phones, enterprises, the paperwork's language
    projects  what each programme finances and how far along it is by a month
    plan      plan_month: every (district, programme) slot of a month, without writing
    files     one workbook on disk: folder and file names, header, rows, the write
    faults    the intentionally faulty workbooks and the finding each should give
    month     generate: writing the month, the year's plans and the manifests
"""

from krm.samples.faults import (FAULT_KINDS, FAULT_TITLES, WRONG_YEAR_DISTRICT, fault_codes,
                                new_districts)
from krm.samples.files import SPARE_ROWS, krm1_name, krm1_rows, krm2_name, krm2_rows, region_folder
from krm.samples.model import (DEFAULT_SEED, GENERATOR_VERSION, MILLI, Fault, Project, SampleResult, Slot,
                               month_bounds, slug)
from krm.samples.month import digest, generate
from krm.samples.people import make_bin, make_iin, wrong_check_digit
from krm.samples.plan import PROGRAMME_POOLS, plan_month
from krm.samples.projects import PROGRAMME_MODEL, PROJECTS, _projects

__all__ = ["DEFAULT_SEED", "FAULT_KINDS", "FAULT_TITLES", "GENERATOR_VERSION", "MILLI", "PROGRAMME_MODEL",
           "PROGRAMME_POOLS", "PROJECTS", "SPARE_ROWS", "WRONG_YEAR_DISTRICT", "Fault", "Project", "SampleResult",
           "Slot", "_projects", "digest", "fault_codes", "generate", "krm1_name", "krm1_rows", "krm2_name",
           "krm2_rows", "make_bin", "make_iin", "month_bounds", "new_districts", "plan_month", "region_folder",
           "slug", "wrong_check_digit"]
