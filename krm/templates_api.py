"""`krm template` as a library function."""

from __future__ import annotations

from pathlib import Path

from krm import reference
from krm.spec import FormSpec
from krm.workbook.writer import atomic_write, write_form


def template_path(out_dir: Path, spec: FormSpec, lang: str) -> Path:
    return Path(out_dir) / f"{spec.id}.{lang}.xlsx"


MAX_ROWS = 20_000  # input rows a blank KRM-1/2/3 template may have (--rows)


def write_template(spec: FormSpec, lang: str, out_dir: Path, *, header: dict | None = None,
                   force: bool = False, rows: int | None = None) -> Path:
    """Write one blank (or header-prefilled) template; returns its path.

    ``rows`` is the number of input rows of a KRM-1/2/3 table (default: the spec's
    ``spare_rows``); it is ignored for the forms with fixed rows (KRM-4 … KRM-7).
    """
    header = dict(header or {})
    period = header.get("period")
    if rows is not None and not 1 <= rows <= MAX_ROWS:
        raise ValueError(f"--rows must be between 1 and {MAX_ROWS}, not {rows}")
    path = template_path(out_dir, spec, lang)
    atomic_write(path, lambda tmp: write_form(tmp, spec, lang, header=header, period=period, spare_rows=rows,
                                                      explanations=True),
                 force=force)
    return path


def resolve_header(spec: FormSpec, *, region: str | None, district: str | None, period: str | None,
                   programme: str | None, body: str | None, lang: str) -> dict:
    """Check and canonicalise the header pre-fill options; raises ValueError with a one-line reason."""
    h: dict = {}
    on = None
    if period:
        want_year = spec.period_kind == "year"
        import re

        if want_year and not re.fullmatch(r"\d{4}", period):
            raise ValueError(f"{spec.id} is yearly: give --period as YYYY, not {period!r}")
        if not want_year:
            from krm.values import month_arg

            try:
                month_arg(period)
            except ValueError as e:
                raise ValueError(f"{e} ({spec.id} is monthly)") from None
        h["period"] = period
        on = period
    if region:
        if spec.header_field("region") is None:
            raise ValueError(f"{spec.id} has no region in its header")
        r = reference.region(region, on)
        if r is None:
            raise ValueError(f"unknown region {region!r}" + (f" for {period}" if period else ""))
        h["region"] = r.name(lang if lang != "en" else "ru")
    if district:
        if spec.header_field("district") is None:
            raise ValueError(f"{spec.id} has no district in its header")
        reg = reference.region(region, on) if region else None
        d = reference.district(district, reg.kato if reg else None, on)
        if d is None:
            raise ValueError(f"unknown district {district!r}" + (f" in {region}" if region else ""))
        h["district"] = reference.district_label(d, lang)
        if not region:
            rr = next((x for x in reference.regions(on) if x.kato == d.region_kato), None)
            if rr and spec.header_field("region") is not None:
                h["region"] = rr.name(lang)
    if programme:
        if spec.header_field("programme") is None:
            raise ValueError(f"{spec.id} has no programme in its header")
        p = reference.programme(programme, on)
        if p is None:
            raise ValueError(f"unknown programme {programme!r}; known: "
                             + ", ".join(x.code for x in reference.programmes(on)))
        h["programme"] = p.name(lang)
    if body:
        if spec.header_field("body") is None:
            raise ValueError(f"{spec.id} has no central-body field in its header")
        h["body"] = body
    if spec.header_field("basis") is not None:
        h["basis"] = "cumulative"
    return h

