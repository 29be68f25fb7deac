"""Catalogue section "structure": the form's structure: table, header, column numbers, fixed rows, merged cells.

Rows: code, severity, title, description, (kk, ru, en) message, (kk, ru, en) hint."""

from krm.catalogue.kinds import E as _E

SECTION = "structure"

ROWS: list = [
    ("KRM-E011", _E, "table-not-found",
     "The column-number row (1, 2, 3 …) under the table headings was not found, so the data cannot be located.",
     ("{form} кестесінің баған нөмірлері жолы (1, 2, 3 …) табылмады.",
      "Не найдена строка номеров граф (1, 2, 3 …) таблицы {form}.",
      "The column-number row (1, 2, 3 …) of the {form} table was not found."),
     ("Кестенің тақырыбын өзгертпеңіз; деректерді жаңа үлгіге көшіріңіз.",
      "Не меняйте шапку таблицы; перенесите данные в новый шаблон.",
      "Do not edit the table headings; copy the data into a fresh template.")),
    ("KRM-E012", _E, "columns-changed",
     "The column-number row differs from the form: a column was removed, added or moved. Values cannot be "
     "assigned to columns safely.",
     ("{cell} ұяшығында {expected} бағаны күтілген, бірақ «{value}» тұр: бағандар жойылған, қосылған немесе ауыстырылған.",
      "В ячейке {cell} ожидалась графа {expected}, а стоит «{value}»: графы удалены, добавлены или переставлены.",
      "Cell {cell} should hold column number {expected} but holds '{value}': columns were removed, added or moved."),
     ("Бағандарды үлгідегідей қалпына келтіріңіз (бағандарды жоймаңыз және орнын ауыстырмаңыз).",
      "Восстановите графы как в шаблоне (не удаляйте и не переставляйте графы).",
      "Restore the columns as in the template (do not delete or move columns).")),
    ("KRM-E013", _E, "header-missing",
     "A required header field (reporting unit, period, programme …) is empty.",
     ("Тақырыптағы «{field}» өрісі толтырылмаған ({cell}).", "Не заполнено поле шапки «{field}» ({cell}).",
      "Header field '{field}' is empty ({cell})."),
     ("Өрісті ашылмалы тізімнен таңдаңыз.", "Выберите значение из раскрывающегося списка.",
      "Choose the value from the drop-down list.")),
    ("KRM-E014", _E, "fixed-rows-changed",
     "On forms with fixed rows (the nine activity groups, or the regions) a row is missing, extra, out of "
     "order or its name differs from the official one.",
     ("{cell}: «{expected}» жолы күтілген, бірақ «{value}» тұр.",
      "{cell}: ожидалась строка «{expected}», а стоит «{value}».",
      "{cell}: row '{expected}' expected, found '{value}'."),
     ("Жолдарды үлгідегі ретпен және ресми атауларымен қалдырыңыз.",
      "Оставьте строки в порядке шаблона и с официальными наименованиями.",
      "Keep the rows in the template's order, with their official names.")),
    ("KRM-E015", _E, "stray-number",
     "A number outside the form's data area (right of the table, between the table and the signature "
     "block, or below it). It would be lost by every roll-up.",
     ("{cell} ұяшығында кестеден тыс сан тұр: {value}.", "В ячейке {cell} вне таблицы стоит число: {value}.",
      "Cell {cell} outside the table holds a number: {value}."),
     ("Мәнді кестенің тиісті жолына көшіріңіз немесе жойыңыз.",
      "Перенесите значение в нужную строку таблицы или удалите его.",
      "Move the value into its row of the table, or delete it.")),
    ("KRM-E016", _E, "merged-data-cells",
     "Cells of the data area are merged: only the top-left cell keeps a value, so the others read as blank.",
     ("{cell} деректер ұяшықтары біріктірілген ({detail}).", "Ячейки данных объединены: {cell} ({detail}).",
      "Data cells are merged: {cell} ({detail})."),
     ("Ұяшықтардың бірігуін алып тастап, әр ұяшыққа өз мәнін енгізіңіз.",
      "Отмените объединение ячеек и введите значение в каждую ячейку.",
      "Unmerge the cells and enter a value in each cell.")),
]
