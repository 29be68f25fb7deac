"""Catalogue section "layout": the annex's printed layout (krm.layouts).

Rows: code, severity, title, description, (kk, ru, en) message, (kk, ru, en) hint."""

from krm.catalogue.kinds import E as _E

SECTION = "layout"

ROWS: list = [
    ("KRM-E061", _E, "header-line-not-found",
     "A workbook in the annex's layout has no header line for a field krm needs (reporting period, region, "
     "district, programme): it was looked for as text above the table.",
     ("Тақырыпта «{field}» табылмады.", "В шапке не найдено «{field}».", "The header gives no '{field}'."),
     ("Кестенің үстіне жеке жолмен жазыңыз, мысалы «Есепті кезең: 2019 жылғы мамыр», «Аудан: Сарыағаш "
      "ауданы», «Бағдарлама: Еңбек».",
      "Напишите отдельной строкой над таблицей, например «Отчётный период: май 2019 г.», «Район: "
      "Сарыагашский район», «Программа: Еңбек».",
      "Write it as a line of its own above the table, e.g. 'Reporting period: May 2019', 'District: "
      "Saryagash', 'Programme: Enbek'.")),
    ("KRM-E062", _E, "header-ambiguous",
     "A header line names more than one thing the field could be (a district name that several regions "
     "have, two different periods, two programmes): krm does not choose.",
     ("{cell}: «{field}» бірмәнді емес, бірнешеуіне сәйкес келеді: {candidates}.",
      "{cell}: «{field}» неоднозначно, подходит несколько: {candidates}.",
      "{cell}: '{field}' is ambiguous, it fits several: {candidates}."),
     ("Облысты да жазыңыз (мысалы «Жамбыл облысы, Жамбыл ауданы») немесе бір ғана мәнді қалдырыңыз.",
      "Укажите и область (например «Жамбылская область, Жамбылский район») или оставьте одно значение.",
      "Name the region too (e.g. 'Zhambyl Region, Zhambyl district') or leave one value only.")),
    ("KRM-E063", _E, "period-text-unreadable",
     "The annex's column 5 (project implementation period) holds a text that cannot be read as a start and an "
     "end (a single date, words, two periods run together).",
     ("{cell}: жобаны іске асыру кезеңі оқылмайды: «{value}».",
      "{cell}: период реализации проекта не читается: «{value}».",
      "{cell}: the implementation period cannot be read: '{value}'."),
     ("Басы мен соңын жазыңыз: «01.03.2019 – 31.12.2020», «наурыз 2019 – желтоқсан 2020» немесе «2019-2020».",
      "Укажите начало и конец: «01.03.2019 – 31.12.2020», «март 2019 – декабрь 2020» или «2019-2020».",
      "Write the start and the end: '01.03.2019 – 31.12.2020', 'March 2019 – December 2020' or '2019-2020'.")),
    ("KRM-E064", _E, "subtotal-mismatch",
     "An activity group's figure (on its group row or on a subtotal row under it) differs from the sum of the "
     "group's project rows.",
     ("{cell}: «{group}» тобының жиыны {value}, ал жолдарының қосындысы {expected}.",
      "{cell}: итог группы «{group}» равен {value}, а сумма её строк {expected}.",
      "{cell}: the subtotal of '{group}' is {value} but its rows add up to {expected}."),
     ("Жиынды жолдарының қосындысымен түзетіңіз (немесе формуламен есептеңіз).",
      "Исправьте итог по сумме строк группы (или посчитайте его формулой).",
      "Correct the subtotal to the sum of the group's rows (or compute it with a formula).")),
    ("KRM-E065", _E, "annex-numbers-changed",
     "The column-number row of a form in the annex's layout does not number the columns as the annex does "
     "(1 … N, each once): the figures cannot be assigned to columns safely.",
     ("{cell}: баған нөмірлері «{value}», ал {form} нысанында «{expected}».",
      "{cell}: номера граф «{value}», а в форме {form} — «{expected}».",
      "{cell}: the column numbers read '{value}'; form {form} numbers them '{expected}'."),
     ("Бағандарды қосымшадағыдай нөмірлеңіз: әр бағанға бір нөмір, 1-ден бастап ретімен.",
      "Пронумеруйте графы как в приложении: по одному номеру на графу, с 1 по порядку.",
      "Number the columns as the annex does: one number per column, from 1 in order.")),
    ("KRM-E066", _E, "heading-number-disagree",
     "A column's heading names another column of the form than its number does (e.g. 'факт' over number 6, "
     "the plan): which of the two is right cannot be told.",
     ("{cell}: {number}-бағанның тақырыбы «{value}», ал онда «{expected}» болуы керек.",
      "{cell}: заголовок графы {number} — «{value}», а должен говорить «{expected}».",
      "{cell}: column {number} is headed '{value}', which should say '{expected}'."),
     ("Тақырыпты немесе нөмірді қосымшадағыдай түзетіңіз.",
      "Исправьте заголовок или номер графы как в приложении.",
      "Correct the heading or the column number as in the annex.")),
    ("KRM-E067", _E, "total-row-unplaced",
     "A total or subtotal row that closes no activity group and is not the table's total: its figures cannot "
     "be checked against any rows.",
     ("{cell}: «{value}» жиын жолы ешбір топқа жатпайды.", "{cell}: итоговая строка «{value}» не относится ни к одной группе.",
      "{cell}: the total row '{value}' belongs to no group."),
     ("Жиын жолын өз тобының астына қойыңыз немесе жойыңыз.", "Поставьте итоговую строку под её группу или удалите её.",
      "Put the total row under its group, or delete it.")),
]
