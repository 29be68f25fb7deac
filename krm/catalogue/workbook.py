"""Catalogue section "workbook": the workbook as a file: macros, hidden rows and sheets, template edition,
formulas, text.

Rows: code, severity, title, description, (kk, ru, en) message, (kk, ru, en) hint."""

from krm.catalogue.kinds import W as _W

SECTION = "workbook"

ROWS: list = [
    ("KRM-W030", _W, "macros",
     "The workbook contains macros (VBA). krm never runs them; the recipient should not either.",
     ("Жұмыс кітабында макростар бар.", "Книга содержит макросы.", "The workbook contains macros."),
     ("Нысанды .xlsx (макроссыз) ретінде сақтаңыз.", "Сохраните форму как .xlsx (без макросов).",
      "Save the form as .xlsx (without macros).")),
    ("KRM-W031", _W, "hidden-rows",
     "Rows of the data area are hidden: their values are read and counted, but a reader of the sheet does "
     "not see them.",
     ("{cell}: деректер жолы жасырылған.", "{cell}: строка данных скрыта.", "{cell}: a data row is hidden."),
     ("Жолдарды көрсетіңіз (Көрсету) және тексеріңіз.", "Покажите скрытые строки и проверьте их.",
      "Unhide the rows and check them.")),
    ("KRM-W032", _W, "hidden-sheets",
     "The workbook has hidden sheets (other than krm's own lists sheet).",
     ("Жасырын парақ: «{value}».", "Скрытый лист: «{value}».", "Hidden sheet: '{value}'."),
     ("Парақты көрсетіңіз немесе жойыңыз.", "Покажите или удалите лист.", "Unhide or delete the sheet.")),
    ("KRM-W033", _W, "foreign-template",
     "The workbook was not made from a krm template of any edition of its form (recognised by its index text, "
     "or declaring a spec version no edition has): it was read against the current edition as far as possible.",
     ("Нысан ескі немесе бөгде үлгіден жасалған ({detail}).", "Форма сделана из старого или чужого шаблона ({detail}).",
      "The form was made from an older or foreign template ({detail})."),
     ("Келесі жолы `krm template` үлгісін пайдаланыңыз.", "В следующий раз используйте шаблон `krm template`.",
      "Next time use a `krm template` workbook.")),
    ("KRM-W036", _W, "formula-in-input",
     "A cell the submitter fills holds a formula: the figure used is the result the file stored when it was "
     "last calculated, not a typed value.",
     ("{cell} ұяшығында формула тұр: {value}; оның сақталған нәтижесі алынды.",
      "В ячейке {cell} формула: {value}; взят её сохранённый результат.",
      "Cell {cell} holds a formula: {value}; its stored result is used."),
     ("Формуланы мәнмен ауыстырыңыз (Көшіру → Арнайы қою → Мәндер).",
      "Замените формулу значением (Копировать → Специальная вставка → Значения).",
      "Replace the formula with its value (Copy → Paste Special → Values).")),
    ("KRM-W034", _W, "garbled-text",
     "Text that looks garbled by a wrong encoding (e.g. 'Ð°Ñ' or '????' or replacement characters).",
     ("{cell}: мәтін бұзылған сияқты (кодтау қатесі): «{value}».",
      "{cell}: текст похоже искажён (ошибка кодировки): «{value}».",
      "{cell}: the text looks garbled (wrong encoding): '{value}'."),
     ("Мәтінді қайта теріңіз немесе UTF-8 кодтауымен көшіріңіз.", "Наберите текст заново или скопируйте в UTF-8.",
      "Retype the text or copy it in UTF-8.")),
]
