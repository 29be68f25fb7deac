"""The open register: :class:`Register`, the store, queries and approval of :mod:`krm.register` in one object."""

from __future__ import annotations

from krm.register.approval import Approval
from krm.register.memo import Memo
from krm.register.queries import Queries
from krm.register.store import Store


class Register(Store, Queries, Approval, Memo):
    """An open register (see the module's doc)."""

    def __init__(self, engine, target: str):
        from krm.register.engine import fingerprint

        super().__init__(engine, fingerprint())
        self.target = target

    @property
    def location(self) -> str:
        from krm.register.connect import is_url

        if is_url(self.target):
            return self.engine.url.render_as_string(hide_password=True)
        return self.target

    def ingest(self, paths, *, by: str | None = None, today=None, jobs: int | None = None,
               progress=None, received: str = "now") -> list:
        """Validate ``paths`` through this register (workbooks, readings, findings, versions recorded), then the
        checks across months (:mod:`krm.history.record`: their errors return the version).  ``received``:
        "now" or "saved" (the workbook's saved time as a new version's received time)."""
        from krm.history.record import check_and_record
        from krm.validate import validate_paths

        reports = validate_paths(paths, jobs=jobs, today=today, progress=progress, register=self, by=by,
                                 received=received)
        check_and_record(reports, self, by)
        return reports

    def verify(self):
        from krm.register.verify import verify

        return verify(self)

    def frames(self) -> dict:
        from krm.register.export import frames

        return frames(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
