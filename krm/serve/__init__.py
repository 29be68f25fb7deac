"""``krm serve``: the submission portal over the same library and the same register (docs/serve.md).

Districts upload workbooks and see each file's findings in their language; oblasts see the month's inbox,
return, accept and confirm with the head's signature and download the region's KRM-3; central bodies and
the Centre download KRM-4/5, KRM-6/7 and the note.  Modules:

* :mod:`~krm.serve.accounts` — accounts (roles tied to reporting units), argon2 passwords, importing offices;
* :mod:`~krm.serve.sessions` — signed session cookies with expiry, CSRF tokens;
* :mod:`~krm.serve.checker` — uploads stored by content hash and checked in a separate process, exactly as
  ``krm validate`` checks (the same guards and worker isolation), recorded in the register;
* :mod:`~krm.serve.access` — who may see and change what (the one place access is decided);
* :mod:`~krm.serve.inbox` — the month seen by a district, an oblast, the Centre;
* :mod:`~krm.serve.outputs` — KRM-3 … KRM-7 and the note for a month, from the register;
* :mod:`~krm.serve.app` and ``views_*`` — the Starlette application; :mod:`~krm.serve.words` — kk/ru/en.
"""
