"""The finding codes as symbols: ``from krm.codes import E034``.

Each name is the catalogue record (:class:`krm.findings.Check`) of its code, looked up when this
module is imported, so a code missing from :mod:`krm.catalogue` fails at import time, and a rule that
names a code not listed here fails when the rule module is imported.  ``tests/test_validate_read.py``
checks that this list and the catalogue hold the same codes.
"""

from __future__ import annotations

from krm.catalogue import CATALOGUE as _C


# reading
E001 = _C["KRM-E001"]  # empty-file
E002 = _C["KRM-E002"]  # not-a-workbook
E003 = _C["KRM-E003"]  # old-xls-or-encrypted
E004 = _C["KRM-E004"]  # opendocument
E005 = _C["KRM-E005"]  # zip-bomb
E006 = _C["KRM-E006"]  # hostile-xml
E007 = _C["KRM-E007"]  # too-large
E008 = _C["KRM-E008"]  # cannot-open
E009 = _C["KRM-E009"]  # read-aborted
E010 = _C["KRM-E010"]  # not-a-krm-form
E070 = _C["KRM-E070"]  # not-a-file
E071 = _C["KRM-E071"]  # folder-unreadable
E072 = _C["KRM-E072"]  # ambiguous-workbook

# structure
E011 = _C["KRM-E011"]  # table-not-found
E012 = _C["KRM-E012"]  # columns-changed
E013 = _C["KRM-E013"]  # header-missing
E014 = _C["KRM-E014"]  # fixed-rows-changed
E015 = _C["KRM-E015"]  # stray-number
E016 = _C["KRM-E016"]  # merged-data-cells

# values
E020 = _C["KRM-E020"]  # not-a-number
E021 = _C["KRM-E021"]  # negative
E022 = _C["KRM-E022"]  # not-whole
E023 = _C["KRM-E023"]  # formula-no-value
E024 = _C["KRM-E024"]  # required-missing
E025 = _C["KRM-E025"]  # bad-date
E026 = _C["KRM-E026"]  # implausibly-large
E027 = _C["KRM-E027"]  # error-value
E028 = _C["KRM-E028"]  # text-too-long
E029 = _C["KRM-E029"]  # unsafe-formula
W001 = _C["KRM-W001"]  # number-as-text
W002 = _C["KRM-W002"]  # money-decimals
W003 = _C["KRM-W003"]  # row-without-figures
W004 = _C["KRM-W004"]  # date-as-text
W005 = _C["KRM-W005"]  # stray-text
W006 = _C["KRM-W006"]  # large-value

# consistency
E030 = _C["KRM-E030"]  # krm1-total-row
E031 = _C["KRM-E031"]  # krm5-activity-sum
E032 = _C["KRM-E032"]  # total-row
E033 = _C["KRM-E033"]  # done-above-planned
E034 = _C["KRM-E034"]  # disbursed-above-allocated
E035 = _C["KRM-E035"]  # start-after-end
E036 = _C["KRM-E036"]  # duplicate-project
W010 = _C["KRM-W010"]  # fact-above-plan

# identifiers
E040 = _C["KRM-E040"]  # id-format
E041 = _C["KRM-E041"]  # id-check-digit
E042 = _C["KRM-E042"]  # iin-structure
E043 = _C["KRM-E043"]  # bin-structure
W011 = _C["KRM-W011"]  # id-as-number

# reference
E050 = _C["KRM-E050"]  # period-invalid
E051 = _C["KRM-E051"]  # period-future
E052 = _C["KRM-E052"]  # region-unknown
E053 = _C["KRM-E053"]  # region-not-valid-then
E054 = _C["KRM-E054"]  # district-unknown
E055 = _C["KRM-E055"]  # district-other-region
E056 = _C["KRM-E056"]  # programme-unknown
E057 = _C["KRM-E057"]  # programme-not-valid-then
W035 = _C["KRM-W035"]  # programme-list-not-covering
E058 = _C["KRM-E058"]  # activity-unknown
E059 = _C["KRM-E059"]  # basis-unknown
E060 = _C["KRM-E060"]  # district-not-valid-then

# signature
W020 = _C["KRM-W020"]  # signature-empty

# workbook
W030 = _C["KRM-W030"]  # macros
W031 = _C["KRM-W031"]  # hidden-rows
W032 = _C["KRM-W032"]  # hidden-sheets
W033 = _C["KRM-W033"]  # foreign-template
W034 = _C["KRM-W034"]  # garbled-text
W036 = _C["KRM-W036"]  # formula-in-input

# layout (krm.layouts: workbooks drawn from the annexes)
E061 = _C["KRM-E061"]  # header-line-not-found
E062 = _C["KRM-E062"]  # header-ambiguous
E063 = _C["KRM-E063"]  # period-text-unreadable
E064 = _C["KRM-E064"]  # subtotal-mismatch
E065 = _C["KRM-E065"]  # annex-numbers-changed
E066 = _C["KRM-E066"]  # heading-number-disagree
E067 = _C["KRM-E067"]  # total-row-unplaced

# digital signatures (krm confirm)
E201 = _C["KRM-E201"]  # signature-unreadable
E202 = _C["KRM-E202"]  # workbook-changed-after-signing
E203 = _C["KRM-E203"]  # signature-invalid
E204 = _C["KRM-E204"]  # certificate-expired
E205 = _C["KRM-E205"]  # certificate-not-yet-valid
E206 = _C["KRM-E206"]  # signer-role
E207 = _C["KRM-E207"]  # chain-untrusted
E208 = _C["KRM-E208"]  # chain-broken
E209 = _C["KRM-E209"]  # certificate-revoked
E210 = _C["KRM-E210"]  # bin-mismatch
E211 = _C["KRM-E211"]  # iin-mismatch
E212 = _C["KRM-E212"]  # head-name-mismatch
E213 = _C["KRM-E213"]  # legacy-gost
E214 = _C["KRM-E214"]  # algorithm-unsupported
E215 = _C["KRM-E215"]  # crl-unusable
E216 = _C["KRM-E216"]  # key-not-for-signing
E217 = _C["KRM-E217"]  # signer-certificate-missing
W201 = _C["KRM-W201"]  # revoked-after-signing
W202 = _C["KRM-W202"]  # no-signing-time
W203 = _C["KRM-W203"]  # organisation-not-matched
W204 = _C["KRM-W204"]  # crl-older-than-signature

# across months (krm.history: the register's earlier months, the year's KRM-1, the districts' KRM-2)
E301 = _C["KRM-E301"]  # cumulative-fact-decreased
E302 = _C["KRM-E302"]  # cumulative-disbursed-decreased
E303 = _C["KRM-E303"]  # project-dropped
E304 = _C["KRM-E304"]  # krm3-differs-from-krm2
E305 = _C["KRM-E305"]  # krm3-missing-district
W301 = _C["KRM-W301"]  # project-changed
W302 = _C["KRM-W302"]  # project-differs-from-krm1
W303 = _C["KRM-W303"]  # facts-far-beyond-plan
W310 = _C["KRM-W310"]  # outlier-history
W311 = _C["KRM-W311"]  # outlier-districts
