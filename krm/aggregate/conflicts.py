"""Step 3: duplicate submissions (conflicts) and the reporting rates (completeness)."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from krm import forms, reference, rollup
from krm.intake import admit, completeness
from krm.aggregate.records import Completeness, Conflict, InputFile


def resolve_conflicts(files: list[InputFile], prefer: str | None = None) -> list[Conflict]:
    """Mark duplicate submissions: both 'conflict', or keep the newest with ``prefer='newest'``."""
    groups: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in files:
        if f.status == "accepted":
            s = f.submission
            region = (s.region or rollup.region_of(s)) if forms.level(s.form) == "region" else None
            groups[admit.duplicate_key(s.form, s.period, s.programme, region, s.district)].append(f)
    conflicts = []
    for key in sorted(groups):
        fs = groups[key]
        if len(fs) < 2:
            continue
        unit = "region" if forms.level(key[0]) == "region" else "district"
        kd = {"form": key[0], unit: key[1], "programme": key[2],
              "period": key[3]}
        c = Conflict(key=kd, files=[f.rel for f in fs])
        kept, _older, how = admit.choose(fs, prefer, lambda f: admit.newest_order(f.submission.modified, f.mtime,
                                                                                      f.rel))
        if kept is not None:
            c.kept = kept.rel
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
    """Reporting rates, as DHIS2's reporting-rate report: expected, received, %, who sent nothing — the one
    definition of :mod:`krm.intake.completeness` (districts per region; regions per programme and overall).

    * Districts, per (period, region) over all programmes (``programme=""``; or the one of ``--programme``),
      for KRM-2 and for KRM-1 plans.
    * Regions, per (period, programme) (``form="KRM-3"``, for the KRM-4/5 control sheets) and per
      period over all programmes (``programme=""``, for the summary).
    """
    live = [f for f in files if f.submission is not None and f.status not in ("skipped", "filtered")]
    sent = [completeness.Sent(form=f.submission.form, period=f.submission.period,
                              region=rollup.region_of(f.submission), district=f.submission.district,
                              programme=f.submission.programme, counted=f.counted) for f in live]
    out = []
    for r in completeness.district_rates(sent, programme=programme or ""):
        out.append(Completeness(form=r.form, period=r.period, programme=r.programme, region=r.region,
                                expected=len(r.expected), received=len(r.received),
                                missing=[reference.district_label(d, lang) for d in r.missing],
                                not_counted=[reference.district_label(d, lang) for d in r.not_counted]))
    for r in completeness.region_rates(sent, programme):
        out.append(Completeness(form="KRM-3", period=r.period, programme=r.programme, region=None,
                                expected=len(r.expected), received=len(r.received),
                                missing=[f"{x.name(lang)} ({x.kato})" for x in r.missing],
                                not_counted=[f"{x.name(lang)} ({x.kato})" for x in r.not_counted]))
    return out
