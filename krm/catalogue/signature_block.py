"""Catalogue section "signature": the form's signature block (executor, telephone, head).

Rows: code, severity, title, description, (kk, ru, en) message, (kk, ru, en) hint."""

from krm.catalogue.kinds import W as _W

SECTION = "signature"

ROWS: list = [
    ("KRM-W020", _W, "signature-empty",
     "The signature block (executor, telephone, head) is not filled.",
     ("{cell}: «{field}» толтырылмаған.", "{cell}: не заполнено «{field}».", "{cell}: '{field}' is not filled."),
     ("Орындаушыны, телефонды және басшыны көрсетіңіз.", "Укажите исполнителя, телефон и руководителя.",
      "Give the executor, telephone and head.")),
]
