"""Load on `krm serve`: N uploads from C concurrent clients on loopback; nothing may be lost.

    python bench/serve_load.py                      # 200 uploads, 20 clients (10 each), a fresh register
    python bench/serve_load.py --uploads 40 --clients 4

Each client is a district of the shipped samples (samples/2019-05), signed in through the login form; it
uploads its own KRM-2 one file per request, each time as new bytes (the same workbook with another zip
comment: the same content, so every upload is a new version of the same submission).  Meanwhile a probe
client asks for the login page every 0.25 s (is the page responsive?).  At the end the register is read:
every upload must be there exactly once (an ``upload`` row with its version, the versions of each
submission numbered 1…n with one current), and the bytes stored must be the bytes sent.
Prints the figures as JSON (latency percentiles, throughput, the probe's latencies); exit 1 if anything
was lost.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"


def variant(data: bytes, i: int) -> bytes:
    """The same workbook as other bytes: only the zip's comment differs."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info.filename))
        z.comment = f"bench variant {i}".encode()
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def districts(n: int) -> list[tuple[str, Path]]:
    """``n`` districts with one clean KRM-2 each in the samples (the faulty ones left out)."""
    faulty = set(json.loads((ROOT / "samples/2019-05/faulty.json").read_text(encoding="utf-8"))["files"])
    seen, out = set(), []
    for p in sorted((ROOT / "samples/2019-05").glob("*/KRM-2_*.xlsx")):
        rel = f"{p.parent.name}/{p.name}"
        kato = p.name.split("_")[1]
        if rel in faulty or kato in seen or p.stem.endswith("resent"):
            continue
        seen.add(kato)
        out.append((kato, p))
        if len(out) == n:
            return out
    raise SystemExit(f"only {len(out)} districts with a clean sample")


def login(client, base: str, login_name: str) -> str:
    r = client.get(base + "/login")
    tok = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = client.post(base + "/login", data={"csrf": tok, "login": login_name, "password": PASSWORD})
    assert r.status_code == 303, r.status_code
    r = client.get(base + "/district")
    return re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--uploads", type=int, default=200)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=None, help="the portal's checker workers (default: its own)")
    a = ap.parse_args()
    import httpx

    import krm.register as register
    from krm.serve import accounts

    per = a.uploads // a.clients
    work = Path(tempfile.mkdtemp(prefix="krm-serve-load-"))
    target = str(work / "register.sqlite")
    chosen = districts(a.clients)
    with register.open(target) as reg:
        shared = accounts.hash_password(PASSWORD)
        for kato, _ in chosen:
            accounts.create(reg, f"d{kato}", PASSWORD, "district", kato, hashed=shared)
    port = free_port()
    cmd = [sys.executable, "-c", "from krm.cli import run; run()", "serve", "--register", target, "--data",
           str(work / "data"), "--port", str(port), "--month", "2019-05"] + (["--jobs", str(a.jobs)] if a.jobs else [])
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        sent: dict[str, list] = {}
        lat: list[float] = []
        failures: list[str] = []
        probe: list[float] = []
        stop = threading.Event()
        lock = threading.Lock()

        def client(kato: str, path: Path):
            data = path.read_bytes()
            with httpx.Client(timeout=600, follow_redirects=False) as c:
                tok = login(c, base, f"d{kato}")
                for i in range(per):
                    body = variant(data, i)
                    t = time.perf_counter()
                    r = c.post(base + "/district/upload", data={"csrf": tok},
                               files=[("files", (path.name, body, "application/octet-stream"))])
                    dt_ = time.perf_counter() - t
                    with lock:
                        lat.append(dt_)
                        sent.setdefault(kato, []).append(hashlib.sha256(body).hexdigest())
                        if r.status_code != 200 or 'href="/version/' not in r.text:
                            failures.append(f"{kato} #{i}: HTTP {r.status_code}")

        def prober():
            with httpx.Client(timeout=60) as c:
                while not stop.is_set():
                    t = time.perf_counter()
                    c.get(base + "/login")
                    probe.append(time.perf_counter() - t)
                    stop.wait(0.25)

        pt = threading.Thread(target=prober)
        pt.start()
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=c) for c in chosen]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        stop.set()
        pt.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    lost = check(target, work / "data", sent, per) + failures
    def q(xs, n):
        return statistics.quantiles(xs, n=n, method="inclusive")
    out = {"uploads": sum(map(len, sent.values())), "clients": a.clients, "wall_s": round(wall, 1),
           "uploads_per_s": round(sum(map(len, sent.values())) / wall, 2),
           "upload_latency_s": {"median": round(statistics.median(lat), 2), "p90": round(q(lat, n=10)[-1], 2),
                                "max": round(max(lat), 2)},
           "page_latency_s": {"n": len(probe), "median": round(statistics.median(probe), 3),
                              "p95": round(q(probe, n=20)[-1], 3), "max": round(max(probe), 3)},
           "cpus": os.cpu_count(), "lost": lost[:20], "lost_count": len(lost)}
    print(json.dumps(out, indent=1))
    return 1 if lost else 0


def check(target: str, data: Path, sent: dict, per: int) -> list[str]:
    """Every upload in the register exactly once (module doc); returns what is missing or wrong."""
    from sqlalchemy import select

    import krm.register as register
    from krm.register import schema as S

    problems = []
    with register.open(target) as reg:
        with reg.reader() as c:
            rows = c.execute(select(S.upload.c.sha256, S.upload.c.version_id, S.upload.c.outcome)).all()
        by_sha: dict[str, list] = {}
        for r in rows:
            by_sha.setdefault(r.sha256, []).append(r)
        for kato, shas in sent.items():
            vs = reg.versions(district=kato, period="2019-05")
            if [v.number for v in vs] != list(range(1, per + 1)):
                problems.append(f"{kato}: versions {[v.number for v in vs]}")
            if sum(v.state != "superseded" for v in vs) != 1:
                problems.append(f"{kato}: not exactly one current version")
            if sorted(v.sha256 for v in vs) != sorted(shas):
                problems.append(f"{kato}: the versions' bytes are not the bytes sent")
            for sha in shas:
                got = by_sha.get(sha, [])
                if len(got) != 1 or got[0].outcome != "version" or got[0].version_id is None:
                    problems.append(f"{kato}: upload {sha[:12]} recorded {len(got)} times")
                stored = next((data / "store" / sha[:2]).glob(f"{sha}.*"), None)
                if stored is None or hashlib.sha256(stored.read_bytes()).hexdigest() != sha:
                    problems.append(f"{kato}: upload {sha[:12]} not stored as sent")
    return problems


if __name__ == "__main__":
    sys.exit(main())
