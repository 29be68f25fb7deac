"""The portal under test: a private register with an account per role, the real sample workbooks, a client
that signs in through the login form (CSRF and all) and reads the CSRF token from the page it got."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from starlette.testclient import TestClient

import krm.register as register
from krm.serve import accounts
from krm.serve.app import Config, create_app

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
MONTH = "2019-05"
#: Akmola (11): the faulty sample of district 114400000 (activity C16 blank: KRM-E024) and a clean one
FAULTY = SAMPLES / MONTH / "11-Akmola-Region" / "KRM-2_114400000_ENBEK.xlsx"
CLEAN = SAMPLES / MONTH / "11-Akmola-Region" / "KRM-2_115200000_AIC.xlsx"
#: Aktobe (15): another region's district
OTHER_REGION = next((SAMPLES / MONTH / "15-Aktobe-Region").glob("KRM-2_*.xlsx"))
PASSWORD = "test-password-1"

#: login -> (role, unit)
ACCOUNTS = {
    "d114": ("district", "114400000"),
    "d115": ("district", "115200000"),
    "d15x": ("district", OTHER_REGION.name.split("_")[1]),
    "o11": ("oblast", "11"),
    "o15": ("oblast", "15"),
    "c-enbek": ("central", "ENBEK"),
    "c-aic": ("central", "AIC"),
    "centre": ("centre", ""),
    "admin": ("admin", ""),
}


def fixed(path: Path, out: Path) -> Path:
    """The faulty sample with its blank activity (C16) filled in as the row below it has it: the fix."""
    import openpyxl

    from fill import edit

    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    return edit(path, {"C16": ws["C17"].value}, out)


def make_portal(tmp: Path, *, trust: Path | None = None, crl: Path | None = None, target: str | None = None) -> tuple:
    """(app, config) over a new register in ``tmp`` (or ``target``, e.g. a PostgreSQL URL) with :data:`ACCOUNTS`
    (one password hash for all)."""
    target = target or str(tmp / "register.sqlite")
    reg = register.open(target)
    try:
        shared = accounts.hash_password(PASSWORD)
        for login, (role, unit) in ACCOUNTS.items():
            accounts.create(reg, login, PASSWORD, role, unit, lang="kk", hashed=shared)
    finally:
        reg.close()
    cfg = Config(register=target, data=tmp / "data", trust=trust, crl=crl, jobs=2, extra={"month": MONTH})
    app = create_app(cfg)
    _PORTALS[target] = app.state.portal
    return app, cfg


#: register target -> the portal over it (tests read the register through the portal's own connection)
_PORTALS: dict = {}


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


class Browser:
    """A TestClient signed in as one account (or none)."""

    def __init__(self, app, login: str | None, password: str = PASSWORD):
        self.client = TestClient(app, follow_redirects=False)
        self.csrf = ""
        if login is not None:
            r = self.client.get("/login")
            r = self.client.post("/login", data={"csrf": csrf_of(r.text), "login": login, "password": password})
            assert r.status_code == 303, r.text
            page = self.client.get("/", follow_redirects=True)
            self.csrf = csrf_of(page.text)

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, files=None, **kw):
        return self.client.post(url, data={"csrf": self.csrf, **(data or {})}, files=files, **kw)

    def upload(self, *paths_or_pairs):
        files = []
        for x in paths_or_pairs:
            name, data = (x.name, x.read_bytes()) if isinstance(x, Path) else x
            files.append(("files", (name, data, "application/octet-stream")))
        return self.post("/district/upload", files=files)


def copy_sample(src: Path, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / (name or src.name)
    shutil.copyfile(src, out)
    return out


def head_pki(folder: Path, workbook: Path):
    """A test CA (RSA) in ``folder/trust`` and the head the workbook names, with a certificate under it:
    returns (trust folder, sign(bytes) -> CMS bytes as NCALayer makes them, with the chain)."""
    import sigkit as K

    from krm import reference
    from krm.signatures.unit import read_unit

    unit = read_unit(workbook)
    org = f"ГУ «Аппарат акима {reference.district_any(unit.district).name_ru}»"
    root = K.issue(K.ca_name("TEST ROOT"), K.RsaKey(), None, ca=True, nb="2020-01-01", na="2040-01-01")
    ca = K.issue(K.ca_name("TEST NCA"), K.RsaKey(), root, ca=True, nb="2020-01-01", na="2035-01-01")
    surname, given, patronymic = unit.head.upper().split()  # the head the form names signs it
    p = K.Person(cn=f"{surname} {given}", surname=surname, patronymic=patronymic, org=org)
    head = K.issue(K.person_name(p), K.RsaKey(), ca, ca=False, roles=p.roles, nb="2024-01-01", na="2034-01-01")
    trust = folder / "trust"
    trust.mkdir(parents=True)
    (trust / "root.pem").write_bytes(root.pem())
    (trust / "nca.cer").write_bytes(ca.cert.dump())
    return trust, (lambda data: K.cms_sign(data, head, chain=[ca]))
