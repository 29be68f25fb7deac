"""Step 3: duplicate submissions (conflicts) and the reporting rates (completeness)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache

from krm import reference, rollup
from krm.aggregate.records import Completeness, Conflict, InputFile
from krm.model import Submission


def _unit_of(sub: Submission) -> str:
    return (sub.region or rollup.region_of(sub) or "") if sub.form == "KRM-3" else (sub.district or "")


def resolve_conflicts(files: list[InputFile], prefer: str | None = None) -> list[Conflict]:
    """Mark duplicate submissions: both 'conflict', or keep the newest with ``prefer='newest'``."""
    groups: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in files:
        if f.status == "accepted":
            s = f.submission
            groups[(s.form, _unit_of(s), s.programme or "", s.period)].append(f)
    conflicts = []
    for key in sorted(groups):
        fs = groups[key]
        if len(fs) < 2:
            continue
        kd = {"form": key[0], ("region" if key[0] == "KRM-3" else "district"): key[1], "programme": key[2],
              "period": key[3]}
        c = Conflict(key=kd, files=[f.rel for f in fs])
        if prefer == "newest":
            def age(f):
                m = f.submission.modified
                return (m or dt.datetime.min, f.mtime, f.rel)
            ranked = sorted(fs, key=age)
            kept = ranked[-1]
            c.kept = kept.rel
            how = ("document modified time" if kept.submission.modified and
                   age(kept)[0] != age(ranked[-2])[0] else
                   "file modified time" if kept.mtime != ranked[-2].mtime else "file path (all times equal)")
            c.reason = f"newest by {how}: kept {kept.rel}"
            for f in fs:
                if f is not kept:
                    f.status, f.note = "superseded", f"older duplicate of {kept.rel} (--prefer newest)"
            kept.note = f"newest of {len(fs)} duplicates (--prefer newest, by {how})"
        else:
            c.reason = "same unit, programme and period: neither counted (use --prefer newest to keep the newest)"
            for f in fs:
                f.status = "conflict"
                f.note = "duplicate of " + ", ".join(x.rel for x in fs if x is not f)
        conflicts.append(c)
    return conflicts


@lru_cache(maxsize=1024)
def _name_region(kato: str | None, lang: str, on) -> str:
    r = next((x for x in reference.all_regions() if x.kato == kato), None)
    return f"{r.name(lang)} ({kato})" if r else str(kato)


def _completeness(files: list[InputFile], lang: str, programme: str | None = None) -> list[Completeness]:
    """Reporting rates, as DHIS2's reporting-rate report: expected, received, %, who sent nothing.

    * Districts, per (period, region) over all programmes (``programme=""``; or the one of
      ``--programme``): the reference districts valid for the period are expected; a district is
      received when at least one of its KRM-2 (KRM-1 for plans) was counted.  The reference has no
      list of which district runs which programme, so "sent nothing" is per district, not per
      programme.  Regions are those with at least one file of that period.
    * Regions, per (period, programme) (``form="KRM-3"``, for the KRM-4/5 control sheets) and per
      period over all programmes (``programme=""``, for the summary).
    """
    out = []
    live = [f for f in files if f.submission is not None and f.status not in ("skipped", "filtered")]
    scope = programme or ""
    by_region: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in live:
        s = f.submission
        if s.form in ("KRM-1", "KRM-2") and rollup.region_of(s):
            by_region[(s.form, s.period, rollup.region_of(s))].append(f)
    for (form, period, region) in sorted(by_region):
        fs = by_region[(form, period, region)]
        on = f"{period}-01" if len(period) == 4 else period
        expected = reference.districts(region, on)
        counted = {f.submission.district for f in fs if f.counted}
        sent = {f.submission.district for f in fs}
        out.append(Completeness(
            form=form, period=period, programme=scope, region=region, expected=len(expected),
            received=sum(1 for d in expected if d.kato in counted),
            missing=[reference.district_label(d, lang) for d in expected if d.kato not in sent],
            not_counted=[reference.district_label(d, lang) for d in expected
                         if d.kato in sent and d.kato not in counted]))
    levels: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in live:
        s = f.submission
        if s.form in ("KRM-2", "KRM-3"):
            levels[(s.period, s.programme or "")].append(f)
            if not programme:
                levels[(s.period, "")].append(f)
    for (period, prog) in sorted(levels):
        fs = levels[(period, prog)]
        expected = reference.regions(period)
        counted = {rollup.region_of(f.submission) for f in fs if f.counted}
        sent = {rollup.region_of(f.submission) for f in fs}
        out.append(Completeness(form="KRM-3", period=period, programme=prog, region=None,
                                expected=len(expected), received=sum(1 for r in expected if r.kato in counted),
                                missing=[f"{r.name(lang)} ({r.kato})" for r in expected if r.kato not in sent],
                                not_counted=[f"{r.name(lang)} ({r.kato})" for r in expected
                                             if r.kato in sent and r.kato not in counted]))
    return out
