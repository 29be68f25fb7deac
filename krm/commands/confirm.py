"""krm confirm — verify the head's digital signature (CMS/PKCS#7, NCALayer) over a workbook, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import NO_REGISTER_HELP, REGISTER_HELP, dumps, fail, say, use_register

L = {
    "kk": {"ok": "ҚОЛТАҢБА РАСТАЛДЫ", "bad": "ҚОЛТАҢБА РАСТАЛМАДЫ", "signer": "Қол қоюшы", "iin": "ЖСН",
           "bin": "БСН", "org": "Ұйым", "role": "Рөлі", "time": "Қол қойылған уақыты", "alg": "Алгоритм",
           "chain": "Тізбек", "unit": "Есеп беретін бөлімше", "checks": "Тексерілгені", "match": "Сәйкестік",
           "rec": "Тізілімге жазылды", "norec": "Тізілімге жазылмады"},
    "ru": {"ok": "ПОДПИСЬ ПОДТВЕРЖДЕНА", "bad": "ПОДПИСЬ НЕ ПОДТВЕРЖДЕНА", "signer": "Подписант", "iin": "ИИН",
           "bin": "БИН", "org": "Организация", "role": "Роль", "time": "Время подписи", "alg": "Алгоритм",
           "chain": "Цепочка", "unit": "Отчитывающаяся единица", "checks": "Проверено", "match": "Сопоставление",
           "rec": "Записано в реестр", "norec": "Не записано в реестр"},
    "en": {"ok": "SIGNATURE VERIFIED", "bad": "SIGNATURE NOT VERIFIED", "signer": "Signer", "iin": "IIN",
           "bin": "BIN", "org": "Organisation", "role": "Role", "time": "Signing time", "alg": "Algorithm",
           "chain": "Chain", "unit": "Reporting unit", "checks": "Checks", "match": "Matching",
           "rec": "Recorded in the register", "norec": "Not recorded in the register"},
}


@app.command()
def confirm(
    file: Path = typer.Argument(..., help="The signed workbook (its exact bytes are checked; it is never written)."),
    signature: Path = typer.Option(..., "--signature", "-s", help="The CMS/PKCS#7 signature (.cms/.p7s; DER, PEM "
                                   "or base64), detached or with the workbook attached."),
    trust: Path = typer.Option(..., "--trust", help="Folder of trusted certificates (the NCA root and "
                               "intermediate certificates, PEM or DER)."),
    crl: Optional[Path] = typer.Option(None, "--crl", help="A CRL file of the signer's CA; without it revocation "
                                       "is not checked."),
    bin_: Optional[str] = typer.Option(None, "--bin", help="The reporting body's BIN the certificate must carry."),
    iin: Optional[str] = typer.Option(None, "--iin", help="The head's IIN the certificate must carry."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    lang: str = typer.Option("kk", "--lang", help="kk, ru or en."),
    by: Optional[str] = typer.Option(None, "--by", help="Who confirms (recorded in the register; default: the OS user)."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
    no_register: bool = typer.Option(False, "--no-register", help=NO_REGISTER_HELP),
) -> None:
    """Verify a CMS signature over the exact workbook bytes: algorithm (GOST R 34.10-2015 512 / RSA),
    chain to --trust, validity at the signing time, revocation (with --crl), the signer's role, IIN, BIN and
    name against the form.  With the register on, a verified signature is recorded there: that version is
    confirmed and locked (docs/confirm.md).  Exit 0 verified (and recorded), 1 not verified (findings) or
    not recordable, 2 unusable input."""
    from krm.signatures import verify as lib

    use_register(register, no_register)
    if fmt not in ("table", "json"):
        fail(f"unknown format {fmt!r}: use table or json")
    if lang not in L:
        fail(f"unknown language {lang!r}: use kk, ru or en")
    for what, v in (("--bin", bin_), ("--iin", iin)):
        if v is not None and not (v.isdigit() and len(v) == 12):
            fail(f"{what} must be 12 digits, not {v!r}")
    try:
        conf = lib.confirm(file, signature, trust, crl, want_bin=bin_, want_iin=iin)
    except lib.UsageError as e:
        fail(str(e))
    recorded, problem = _record(conf, by) if conf.verified else (None, None)
    if fmt == "json":
        out = conf.to_dict(lang)
        if recorded is not None or problem is not None:
            out["register"] = {"recorded": recorded is not None, "problem": problem,
                               "version": recorded.to_dict() if recorded is not None else None}
        typer.echo(dumps(out, indent=1))
    else:
        _print(conf, lang)
        if recorded is not None:
            say(f"{L[lang]['rec']}: {recorded.form} {recorded.period} {recorded.district or recorded.region} "
                f"{recorded.programme} v{recorded.number} → {recorded.state}")
        elif problem is not None:
            say(f"{L[lang]['norec']}: {problem}")
    raise typer.Exit(1 if problem is not None else conf.exit_code)


def _record(conf, by):
    """(version, None) when recorded in the register, (None, why) when it could not be, (None, None) when off."""
    import krm.register as register

    try:
        reg = register.open()
    except register.RegisterError as e:
        return None, str(e)
    if reg is None:
        return None, None
    try:
        return reg.confirm_version(conf, by=by), None
    except register.StateError as e:
        return None, str(e)
    finally:
        reg.close()


def _print(conf, lang: str) -> None:
    t = L[lang]
    echo = say  # certificate fields and file names are outside text: shown safely
    echo(f"{conf.file}  ({conf.size} B, sha256 {conf.sha256[:16]}…)")
    echo(t["ok"] if conf.verified else t["bad"])
    for rep in conf.signers:
        s = rep.signer
        if s is not None:
            echo(f"  {t['signer']}: {s.name}   {t['iin']}: {s.iin or '—'}   {t['bin']}: {s.bin or '—'}")
            echo(f"  {t['org']}: {s.organisation or '—'}")
            echo(f"  {t['role']}: {s.role}")
        echo(f"  {t['alg']}: {rep.algorithm}")
        if rep.signing_time:
            echo(f"  {t['time']}: {rep.signing_time:%Y-%m-%d %H:%M:%S} UTC")
        if rep.chain:
            echo(f"  {t['chain']}: " + " → ".join(rep.chain))
        echo(f"  {t['checks']}:")
        for c in rep.checks:
            echo(f"    [{c.status}] {c.name}: {c.detail}")
        for m in rep.matches:
            echo(f"    [{m.status}] {t['match']} {m.what}: {m.detail}")
    if conf.unit is not None and conf.unit.form:
        u = conf.unit
        echo(f"  {t['unit']}: {u.form} {u.period or ''} {u.district or u.region or u.body or ''}".rstrip())
    for name in conf.trust_ignored:
        echo(f"  (--trust: {name})")
    for f in conf.findings:
        echo(f"{f.code} {f.severity}: {f.message(lang)}")
        echo(f"    → {f.hint(lang)}")
