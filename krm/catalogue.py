"""The catalogue of every finding krm validate (and krm confirm) can report.

Codes are stable: never renumber or reuse a code, only add.  ``KRM-E…`` are
errors (the data cannot be used as it is), ``KRM-W…`` warnings (it can, but
someone should look).  Codes E001-E010 mean the file could not be read at all
(exit status 2); all other errors mean the data has errors (exit status 1).

Message templates take ``{value}``, ``{cell}``, ``{column}`` and the finding's
``params``.  ``python -m krm.catalogue > docs/catalogue.md`` writes the page.
"""

from __future__ import annotations

from krm.findings import Check, Words

# code, title, description, (kk, ru, en) message, (kk, ru, en) hint
_E = "error"
_W = "warning"

# a bare string starts a section (the record's group)
_ROWS: list = [
    # ------------------------------------------------------------ reading (exit 2)
    "reading",
    ("KRM-E001", _E, "empty-file", "The file has no bytes at all (an interrupted copy or download).",
     ("Файл бос (0 байт).", "Файл пуст (0 байт).", "The file is empty (0 bytes)."),
     ("Файлды бастапқы көзден қайта көшіріңіз немесе жүктеңіз.", "Скопируйте или скачайте файл заново.",
      "Copy or download the file again from its source.")),
    ("KRM-E002", _E, "not-a-workbook",
     "The file is not an .xlsx workbook: another format renamed to .xlsx (CSV, PDF …) or a damaged/truncated zip.",
     ("Файл Excel жұмыс кітабы емес немесе зақымдалған: {detail}.",
      "Файл не является книгой Excel или повреждён: {detail}.",
      "The file is not an Excel workbook or is damaged: {detail}."),
     ("Нысанды Excel немесе LibreOffice-те ашып, .xlsx ретінде қайта сақтаңыз.",
      "Откройте форму в Excel или LibreOffice и сохраните заново как .xlsx.",
      "Open the form in Excel or LibreOffice and save it again as .xlsx.")),
    ("KRM-E003", _E, "old-xls-or-encrypted",
     "A workbook protected with a password to open (an encrypted .xlsx, which is an OLE2 package with "
     "EncryptionInfo/EncryptedPackage, or an .xls with FILEPASS): its cells cannot be read. Plain .xls "
     "(Excel 97-2003), .ods and .xlsb workbooks are read.",
     ("Жұмыс кітабы ашу құпиясөзімен шифрланған ({detail}).",
      "Книга зашифрована паролем на открытие ({detail}).",
      "The workbook is encrypted with a password to open ({detail})."),
     ("Ашу құпиясөзін алып тастап (Файл → Ақпарат → Кітапты қорғау), файлды қайта сақтаңыз.",
      "Снимите пароль на открытие (Файл → Сведения → Защита книги) и сохраните файл заново.",
      "Remove the password to open (File → Info → Protect Workbook) and save the file again.")),
    ("KRM-E004", _E, "opendocument",
     "An OpenDocument file that is not a spreadsheet (a text document or presentation saved as .ods). "
     "OpenDocument spreadsheets (.ods) are read.",
     ("Бұл OpenDocument кестесі емес (мәтіндік құжат немесе презентация).",
      "Это не таблица OpenDocument (текстовый документ или презентация).",
      "This is an OpenDocument file but not a spreadsheet (a text document or presentation)."),
     ("Нысанды LibreOffice Calc-та ашып, кесте ретінде сақтаңыз (.ods немесе .xlsx).",
      "Откройте форму в LibreOffice Calc и сохраните как таблицу (.ods или .xlsx).",
      "Open the form in LibreOffice Calc and save it as a spreadsheet (.ods or .xlsx).")),
    ("KRM-E005", _E, "zip-bomb",
     "A part of the package inflates to far more than any form needs (a zip bomb or a corrupt zip "
     "directory); it is refused before it is read.",
     ("Файл ашылғанда тым үлкен болады ({detail}).", "Файл при распаковке слишком велик ({detail}).",
      "The file inflates to an implausible size ({detail})."),
     ("Нысанды бос үлгіден қайта толтырыңыз.", "Заполните форму заново из чистого шаблона.",
      "Fill the form again from a clean template.")),
    ("KRM-E006", _E, "hostile-xml",
     "The workbook's XML declares entities or a DTD (e.g. a 'billion laughs' attack); it is not parsed.",
     ("Жұмыс кітабының XML-і қауіпті құрылымдарды қамтиды ({detail}).",
      "XML книги содержит опасные конструкции ({detail}).",
      "The workbook's XML contains forbidden constructs ({detail})."),
     ("Нысанды бос үлгіден қайта толтырыңыз.", "Заполните форму заново из чистого шаблона.",
      "Fill the form again from a clean template.")),
    ("KRM-E007", _E, "too-large",
     "The form sheet uses more rows or columns than any KRM form can have (limits in the reader).",
     ("Парақта тым көп жол немесе баған бар ({detail}).", "На листе слишком много строк или столбцов ({detail}).",
      "The sheet uses too many rows or columns ({detail})."),
     ("Деректерден тыс толтырылған жолдарды/бағандарды жойыңыз (Ctrl+End тексеріңіз).",
      "Удалите заполненные строки/столбцы за пределами данных (проверьте Ctrl+End).",
      "Delete the used rows/columns beyond the data (check where Ctrl+End goes).")),
    ("KRM-E008", _E, "cannot-open",
     "The operating system refused to open the file (missing, a folder, no permission).",
     ("Файлды ашу мүмкін емес: {detail}.", "Не удаётся открыть файл: {detail}.", "Cannot open the file: {detail}."),
     ("Жолды және рұқсаттарды тексеріңіз.", "Проверьте путь и права доступа.", "Check the path and permissions.")),
    ("KRM-E009", _E, "read-aborted",
     "Reading the workbook was stopped: it exceeded the memory or time limit, or crashed the reader process. "
     "The other files of the run are not affected.",
     ("Файлды оқу тоқтатылды: {detail}.", "Чтение файла прервано: {detail}.", "Reading the file was stopped: {detail}."),
     ("Нысанды бос үлгіден қайта толтырыңыз; қайталанса, файлды әзірлеушілерге жіберіңіз.",
      "Заполните форму заново из чистого шаблона; если повторится, пришлите файл разработчикам.",
      "Fill the form again from a clean template; if it recurs, send the file to the developers.")),
    ("KRM-E010", _E, "not-a-krm-form",
     "No KRM form was recognised: no krm document property, no KRM defined names or table, and no "
     "'Индексі: КРМ-N' text in the header.",
     ("КРМ нысаны танылмады (нысан индексі табылмады).", "Форма КРМ не распознана (не найден индекс формы).",
      "No KRM form recognised (no form index found)."),
     ("`krm template` үлгісін пайдаланыңыз немесе тақырыпқа «Индексі: КРМ-N» жолын қосыңыз.",
      "Используйте шаблон `krm template` или добавьте в шапку строку «Индекс: КРМ-N».",
      "Use a `krm template` workbook, or add the line 'Index: КРМ-N' to the header.")),
    ("KRM-E072", _E, "ambiguous-workbook",
     "The workbook's list of sheets can be read in more than one way (a second <sheet> element in another "
     "namespace, two sheets with one name, a sheet whose relationship is missing, repeated or not a "
     "worksheet, a main part other than xl/workbook.xml): krm would not know it reads the sheet Excel shows.",
     ("Жұмыс кітабындағы парақтар тізімі екіұшты ({detail}).",
      "Список листов книги неоднозначен ({detail}).",
      "The workbook's list of sheets is ambiguous ({detail})."),
     ("Файлды Excel немесе LibreOffice-те ашып, .xlsx ретінде қайта сақтаңыз немесе бос үлгіден толтырыңыз.",
      "Откройте файл в Excel или LibreOffice и сохраните заново как .xlsx, или заполните чистый шаблон.",
      "Open the file in Excel or LibreOffice and save it again as .xlsx, or fill a clean template.")),
    ("KRM-E070", _E, "not-a-file",
     "Something named like a workbook is not a regular file: a named pipe (FIFO), a device or a socket. "
     "It is not opened (reading it could wait forever).",
     ("Бұл файл емес, оны оқуға болмайды: {detail}.", "Это не файл, его нельзя прочитать: {detail}.",
      "This is not a file and cannot be read: {detail}."),
     ("Қалтаға жұмыс кітабының өзін (кәдімгі файл ретінде) көшіріңіз.",
      "Положите в папку саму книгу (обычным файлом).",
      "Put the workbook itself (an ordinary file) in the folder.")),
    ("KRM-E071", _E, "folder-unreadable",
     "A folder under the input cannot be listed (no permission, or an I/O error): the workbooks in it, "
     "if any, were not read.",
     ("Қалтаны оқу мүмкін емес: {detail}; ондағы нысандар оқылмады.",
      "Папку не удаётся прочитать: {detail}; формы в ней не прочитаны.",
      "The folder cannot be read: {detail}; the forms in it were not read."),
     ("Қалтаға оқу рұқсатын беріңіз немесе файлдарды оқылатын қалтаға көшіріңіз.",
      "Дайте право на чтение папки или перенесите файлы в доступную папку.",
      "Give read permission on the folder, or move the files to a readable folder.")),
    # ------------------------------------------------------------ structure
    "structure",
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
    # ------------------------------------------------------------ values
    "values",
    ("KRM-E020", _E, "not-a-number",
     "A jobs, projects or money cell holds something that is not a number.",
     ("{cell} ({column}-баған) сан емес: «{value}».", "{cell} (графа {column}) не число: «{value}».",
      "{cell} (column {column}) is not a number: '{value}'."),
     ("Тек санды енгізіңіз (мысалы 12 немесе 1234,5), мәтінсіз.",
      "Введите только число (например 12 или 1234,5), без текста.",
      "Enter a number only (e.g. 12 or 1234.5), without text.")),
    ("KRM-E021", _E, "negative",
     "Jobs, projects and sums cannot be negative.",
     ("{cell} ({column}-баған) теріс: {value}.", "{cell} (графа {column}) отрицательно: {value}.",
      "{cell} (column {column}) is negative: {value}."),
     ("Мән 0-ден кем болмауы керек.", "Значение не может быть меньше 0.", "The value cannot be below 0.")),
    ("KRM-E022", _E, "not-whole",
     "Jobs and project counts are whole numbers.",
     ("{cell} ({column}-баған) бүтін сан емес: {value}.", "{cell} (графа {column}) не целое число: {value}.",
      "{cell} (column {column}) is not a whole number: {value}."),
     ("Жұмыс орындары мен жобалар санын бүтін санмен көрсетіңіз.",
      "Количество рабочих мест и проектов указывается целым числом.",
      "Give jobs and project counts as whole numbers.")),
    ("KRM-E023", _E, "formula-no-value",
     "A formula cell has no stored result (the workbook was written by a program that does not calculate); "
     "its value is unknown.",
     ("{cell} формуласының есептелген мәні жоқ.", "У формулы в {cell} нет вычисленного значения.",
      "The formula in {cell} has no calculated value."),
     ("Файлды Excel/LibreOffice-те ашып, қайта есептеп (F9), сақтаңыз.",
      "Откройте файл в Excel/LibreOffice, пересчитайте (F9) и сохраните.",
      "Open the file in Excel/LibreOffice, recalculate (F9) and save.")),
    ("KRM-E024", _E, "required-missing",
     "A data row leaves a required cell blank (activity, project name, BIN/IIN, district, dates …).",
     ("{cell}: «{title}» ({column}-баған) толтырылмаған.", "{cell}: не заполнена графа {column} «{title}».",
      "{cell}: column {column} '{title}' is blank."),
     ("Жолдың барлық міндетті бағандарын толтырыңыз.", "Заполните все обязательные графы строки.",
      "Fill every required column of the row.")),
    ("KRM-E025", _E, "bad-date",
     "A date cell holds something that is not a real date.",
     ("{cell} ({column}-баған) күн емес: «{value}».", "{cell} (графа {column}) не дата: «{value}».",
      "{cell} (column {column}) is not a date: '{value}'."),
     ("Күнді КК.АА.ЖЖЖЖ пішімінде енгізіңіз.", "Введите дату в формате ДД.ММ.ГГГГ.",
      "Enter the date as DD.MM.YYYY.")),
    ("KRM-E026", _E, "implausibly-large",
     "A number too large to be real (more than 10 million jobs or 100 million million tenge in one cell): "
     "usually tenge typed instead of million tenge, or a pasted ID.",
     ("{cell} ({column}-баған) тым үлкен: {value}.", "{cell} (графа {column}) слишком велико: {value}.",
      "{cell} (column {column}) is implausibly large: {value}."),
     ("Бірлікті тексеріңіз: сомалар млн теңгемен көрсетіледі.",
      "Проверьте единицы: суммы указываются в млн тенге.",
      "Check the unit: sums are in million tenge.")),
    ("KRM-E027", _E, "error-value",
     "A cell the form's figures come from holds an error value (#DIV/0!, #REF!, #VALUE! …): a formula failed. "
     "It would read as blank and count as 0.",
     ("{cell} ұяшығында қате мәні тұр: {value}.", "В ячейке {cell} значение ошибки: {value}.",
      "Cell {cell} holds an error value: {value}."),
     ("Ұяшыққа санды енгізіңіз (формуланы түзетіңіз немесе мәнмен ауыстырыңыз).",
      "Введите в ячейку число (исправьте формулу или замените её значением).",
      "Enter the number in the cell (fix the formula or replace it with its value).")),
    ("KRM-E028", _E, "text-too-long",
     "A cell holds more characters than an Excel cell can (32,767): no output could carry the text whole "
     "and krm does not cut it in silence.",
     ("{cell} ұяшығындағы мәтін тым ұзын: {length} таңба (ең көбі 32 767).",
      "Текст в ячейке {cell} слишком длинный: {length} знаков (не более 32 767).",
      "The text in cell {cell} is too long: {length} characters (at most 32,767)."),
     ("Мәтінді қысқартыңыз: ұяшыққа тек атауды енгізіңіз.", "Сократите текст: введите в ячейку только наименование.",
      "Shorten the text: put only the name in the cell.")),
    ("KRM-E029", _E, "unsafe-formula",
     "A cell the submitter fills holds a formula that reaches outside the workbook (DDE, HYPERLINK, "
     "WEBSERVICE, CALL, RTD, a link to another workbook): opening or recalculating the file would run or "
     "fetch something, and its value is not a typed figure.",
     ("{cell} ұяшығында жұмыс кітабынан тыс формула тұр ({detail}): {value}.",
      "В ячейке {cell} формула, обращающаяся за пределы книги ({detail}): {value}.",
      "Cell {cell} holds a formula that reaches outside the workbook ({detail}): {value}."),
     ("Формуланы жойып, мәнді қолмен енгізіңіз.", "Удалите формулу и введите значение вручную.",
      "Delete the formula and type the value.")),
    ("KRM-W001", _W, "number-as-text",
     "A number stored as text was read as a number ('1 234,5' → 1234.5). Excel does not add up such cells.",
     ("{cell}: сан мәтін ретінде сақталған («{value}»), {parsed} деп оқылды.",
      "{cell}: число сохранено как текст («{value}»), прочитано как {parsed}.",
      "{cell}: number stored as text ('{value}'), read as {parsed}."),
     ("Ұяшықты сан пішіміне ауыстырып, мәнді қайта енгізіңіз.",
      "Смените формат ячейки на числовой и введите значение заново.",
      "Change the cell format to Number and enter the value again.")),
    ("KRM-W002", _W, "money-decimals",
     "A sum in million tenge has more than 3 decimals (finer than 1,000 tenge): perhaps a unit mix-up.",
     ("{cell}: сомада 3-тен көп ондық таңба бар ({value}).",
      "{cell}: в сумме больше 3 знаков после запятой ({value}).",
      "{cell}: the sum has more than 3 decimals ({value})."),
     ("Соманы млн теңгемен, үтірден кейін 3 таңбаға дейін көрсетіңіз.",
      "Укажите сумму в млн тенге, не более 3 знаков после запятой.",
      "Give the sum in million tenge with at most 3 decimals.")),
    ("KRM-W003", _W, "row-without-figures",
     "A data row names a project (or region/activity) but all its figures are blank; blanks are read as 0.",
     ("{row}-жолда бірде-бір көрсеткіш жоқ; бос ұяшықтар 0 деп есептелді.",
      "В строке {row} нет ни одного показателя; пустые ячейки считаются 0.",
      "Row {row} has no figures; blank cells are read as 0."),
     ("Көрсеткіштерді енгізіңіз (жоқ болса, 0 жазыңыз).", "Введите показатели (если их нет, укажите 0).",
      "Enter the figures (write 0 where there are none).")),
    ("KRM-W004", _W, "date-as-text",
     "A date stored as text was read as a date.",
     ("{cell}: күн мәтін ретінде сақталған («{value}»), {parsed} деп оқылды.",
      "{cell}: дата сохранена как текст («{value}»), прочитана как {parsed}.",
      "{cell}: date stored as text ('{value}'), read as {parsed}."),
     ("Ұяшықты күн пішіміне ауыстырыңыз.", "Смените формат ячейки на «Дата».", "Change the cell format to Date.")),
    ("KRM-W005", _W, "stray-text",
     "Text outside the form's data area (a note beside the table or below it); it is not part of the data.",
     ("{cell} ұяшығында кестеден тыс мәтін бар: «{value}».", "В ячейке {cell} вне таблицы есть текст: «{value}».",
      "Cell {cell} outside the table holds text: '{value}'."),
     ("Ескертпелерді ілеспе хатқа жазыңыз немесе жойыңыз.", "Перенесите примечания в сопроводительное письмо или удалите.",
      "Put notes in the covering letter, or delete them.")),
    ("KRM-W006", _W, "large-value",
     "An unusually large number for one row (over 50,000 jobs or 1,000,000 million tenge): check the unit.",
     ("{cell} ({column}-баған) әдеттен тыс үлкен: {value}.", "{cell} (графа {column}) необычно велико: {value}.",
      "{cell} (column {column}) is unusually large: {value}."),
     ("Мәнді және бірлікті (млн теңге) тексеріңіз.", "Проверьте значение и единицы (млн тенге).",
      "Check the value and the unit (million tenge).")),
    # ------------------------------------------------------------ consistency
    "consistency",
    ("KRM-E030", _E, "krm1-total-row",
     "KRM-1: planned jobs '1.' must equal the sum of rows 1.1-1.9 (the nine activity groups).",
     ("{cell}: «1.» = {value}, ал 1.1-1.9 қосындысы = {expected}.",
      "{cell}: «1.» = {value}, а сумма 1.1-1.9 = {expected}.",
      "{cell}: '1.' = {value}, but rows 1.1-1.9 add up to {expected}."),
     ("«1.» жолын 1.1-1.9 жолдарының қосындысына теңестіріңіз.", "Приведите строку «1.» к сумме строк 1.1-1.9.",
      "Make '1.' equal to the sum of rows 1.1-1.9.")),
    ("KRM-E031", _E, "krm5-activity-sum",
     "KRM-5: column 3 (jobs created) must equal the sum of columns 4-12 (by activity).",
     ("{cell}: 3-баған = {value}, ал 4-12 бағандар қосындысы = {expected}.",
      "{cell}: графа 3 = {value}, а сумма граф 4-12 = {expected}.",
      "{cell}: column 3 = {value}, but columns 4-12 add up to {expected}."),
     ("3-бағанды 4-12 бағандарының қосындысына теңестіріңіз.", "Приведите графу 3 к сумме граф 4-12.",
      "Make column 3 equal to the sum of columns 4-12.")),
    ("KRM-E032", _E, "total-row",
     "The total row must equal the sum of the rows above it, column by column.",
     ("{cell}: жиынтық = {value}, ал жолдар қосындысы = {expected}.",
      "{cell}: итог = {value}, а сумма строк = {expected}.",
      "{cell}: total = {value}, but the rows add up to {expected}."),
     ("Жиынтықты қайта есептеңіз (немесе ҚОСЫНДЫ формуласын қалпына келтіріңіз).",
      "Пересчитайте итог (или восстановите формулу СУММ).",
      "Recalculate the total (or restore the SUM formula).")),
    ("KRM-E033", _E, "done-above-planned",
     "KRM-4: implemented projects (column 4) cannot exceed planned projects (column 3).",
     ("{cell}: іске асырылған жобалар ({value}) жоспарланғаннан ({expected}) көп.",
      "{cell}: реализованных проектов ({value}) больше, чем запланированных ({expected}).",
      "{cell}: implemented projects ({value}) exceed planned projects ({expected})."),
     ("3 және 4-бағандарды тексеріңіз.", "Проверьте графы 3 и 4.", "Check columns 3 and 4.")),
    ("KRM-E034", _E, "disbursed-above-allocated",
     "The sum disbursed cannot exceed the sum allocated.",
     ("{cell}: игерілген сома ({value}) бөлінген сомадан ({expected}) көп.",
      "{cell}: освоенная сумма ({value}) больше выделенной ({expected}).",
      "{cell}: disbursed ({value}) exceeds allocated ({expected})."),
     ("Бөлінген және игерілген сомаларды тексеріңіз.", "Проверьте выделенную и освоенную суммы.",
      "Check the allocated and disbursed sums.")),
    ("KRM-E035", _E, "start-after-end",
     "A project's start date is after its completion date.",
     ("{cell}: басталу күні ({value}) аяқталу күнінен ({expected}) кейін.",
      "{cell}: дата начала ({value}) позже даты окончания ({expected}).",
      "{cell}: start ({value}) is after completion ({expected})."),
     ("Күндерді тексеріңіз.", "Проверьте даты.", "Check the dates.")),
    ("KRM-E036", _E, "duplicate-project",
     "Two rows have the same BIN/IIN and project name (case and spaces ignored): the project would be "
     "counted twice.",
     ("{cell}: жоба {first} жолында қайталанған.", "{cell}: проект повторяет строку {first}.",
      "{cell}: the project repeats row {first}."),
     ("Қайталанған жолды жойыңыз немесе жолдарды біріктіріңіз.", "Удалите повтор или объедините строки.",
      "Delete the repeated row or merge the rows.")),
    ("KRM-W010", _W, "fact-above-plan",
     "More jobs created than planned: possible, but worth a look.",
     ("{cell}: нақты ({value}) жоспардан ({expected}) көп.", "{cell}: факт ({value}) больше плана ({expected}).",
      "{cell}: fact ({value}) exceeds plan ({expected})."),
     ("Жоспар мен фактіні тексеріңіз.", "Проверьте план и факт.", "Check plan and fact.")),
    # ------------------------------------------------------------ identifiers
    "identifiers",
    ("KRM-E040", _E, "id-format",
     "A BIN/IIN must be exactly 12 digits.",
     ("{cell}: БСН/ЖСН 12 цифрдан тұруы керек: «{value}».", "{cell}: БИН/ИИН должен состоять из 12 цифр: «{value}».",
      "{cell}: a BIN/IIN has 12 digits: '{value}'."),
     ("12 цифрды мәтін ретінде енгізіңіз (ұяшық пішімі «Мәтін»), бастапқы нөлдермен.",
      "Введите 12 цифр как текст (формат ячейки «Текстовый»), с ведущими нулями.",
      "Enter the 12 digits as text (cell format Text), keeping leading zeros.")),
    ("KRM-E041", _E, "id-check-digit",
     "The 12th digit of a BIN/IIN does not match the check digit computed from the first 11.",
     ("{cell}: БСН/ЖСН бақылау цифры дұрыс емес: {value}.", "{cell}: неверная контрольная цифра БИН/ИИН: {value}.",
      "{cell}: wrong BIN/IIN check digit: {value}."),
     ("Нөмірді тіркеу құжатынан тексеріңіз.", "Сверьте номер с регистрационными документами.",
      "Check the number against the registration documents.")),
    ("KRM-E042", _E, "iin-structure",
     "An IIN with an impossible birth date, or a 7th digit that is not a century/sex digit (1-6).",
     ("{cell}: ЖСН құрылымы мүмкін емес ({detail}): {value}.", "{cell}: невозможная структура ИИН ({detail}): {value}.",
      "{cell}: impossible IIN ({detail}): {value}."),
     ("Нөмірді тексеріңіз.", "Проверьте номер.", "Check the number.")),
    ("KRM-E043", _E, "bin-structure",
     "A BIN with an impossible registration month, type digit (5th: 4-6) or attribute digit (6th: 0-3).",
     ("{cell}: БСН құрылымы мүмкін емес ({detail}): {value}.", "{cell}: невозможная структура БИН ({detail}): {value}.",
      "{cell}: impossible BIN ({detail}): {value}."),
     ("Нөмірді тексеріңіз.", "Проверьте номер.", "Check the number.")),
    ("KRM-W011", _W, "id-as-number",
     "A BIN/IIN stored as a number: Excel drops leading zeros and may round long numbers. The number was "
     "read as 12 digits (leading zeros restored).",
     ("{cell}: БСН/ЖСН сан ретінде сақталған, {parsed} деп оқылды.",
      "{cell}: БИН/ИИН сохранён как число, прочитан как {parsed}.",
      "{cell}: BIN/IIN stored as a number, read as {parsed}."),
     ("Бағанды «Мәтін» пішіміне ауыстырып, нөмірді қайта енгізіңіз.",
      "Смените формат графы на «Текстовый» и введите номер заново.",
      "Format the column as Text and enter the number again.")),
    # ------------------------------------------------------------ reference data
    "reference",
    ("KRM-E050", _E, "period-invalid",
     "The reporting period is not a real month (YYYY-MM), or year (YYYY) for KRM-1.",
     ("{cell}: есепті кезең дұрыс емес: «{value}».", "{cell}: неверный отчётный период: «{value}».",
      "{cell}: invalid reporting period: '{value}'."),
     ("Кезеңді ЖЖЖЖ-АА (КРМ-1 үшін ЖЖЖЖ) түрінде енгізіңіз.", "Укажите период как ГГГГ-ММ (для КРМ-1 — ГГГГ).",
      "Give the period as YYYY-MM (YYYY for KRM-1).")),
    ("KRM-E051", _E, "period-future",
     "The reporting period has not ended yet (a month report) or lies beyond next year (a KRM-1 plan).",
     ("{cell}: есепті кезең {value} әлі аяқталған жоқ.", "{cell}: отчётный период {value} ещё не закончился.",
      "{cell}: the period {value} lies in the future."),
     ("Кезеңді тексеріңіз.", "Проверьте период.", "Check the period.")),
    ("KRM-E052", _E, "region-unknown",
     "The region is not one of the oblasts, cities of republican significance or the capital.",
     ("{cell}: өңір белгісіз: «{value}».", "{cell}: неизвестный регион: «{value}».", "{cell}: unknown region: '{value}'."),
     ("Өңірді ашылмалы тізімнен таңдаңыз.", "Выберите регион из списка.", "Choose the region from the list.")),
    ("KRM-E053", _E, "region-not-valid-then",
     "The region exists, but not in the reporting period (e.g. Abai oblast, created in 2022, in a 2019 report).",
     ("{cell}: «{value}» өңірі {period} кезеңінде болған жоқ.", "{cell}: региона «{value}» не было в периоде {period}.",
      "{cell}: region '{value}' did not exist in {period}."),
     ("Сол кезеңдегі әкімшілік бөліністі пайдаланыңыз.", "Используйте административное деление того периода.",
      "Use the administrative division of that period.")),
    ("KRM-E054", _E, "district-unknown",
     "The district / city of oblast significance is not in the reference list.",
     ("{cell}: аудан белгісіз: «{value}».", "{cell}: неизвестный район: «{value}».",
      "{cell}: unknown district: '{value}'."),
     ("Ауданды тізімнен таңдаңыз (КАТО коды бар).", "Выберите район из списка (с кодом КАТО).",
      "Choose the district from the list (with its KATO code).")),
    ("KRM-E055", _E, "district-other-region",
     "The district belongs to another region than the one in the header.",
     ("{cell}: «{value}» ауданы {region} өңіріне жатпайды.", "{cell}: район «{value}» не относится к региону {region}.",
      "{cell}: district '{value}' is not in {region}."),
     ("Ауданды немесе тақырыптағы өңірді түзетіңіз.", "Исправьте район или регион в шапке.",
      "Correct the district or the header's region.")),
    ("KRM-E056", _E, "programme-unknown",
     "The programme is not in the reference list of programmes.",
     ("{cell}: бағдарлама белгісіз: «{value}».", "{cell}: неизвестная программа: «{value}».",
      "{cell}: unknown programme: '{value}'."),
     ("Бағдарламаны тізімнен таңдаңыз.", "Выберите программу из списка.", "Choose the programme from the list.")),
    ("KRM-E057", _E, "programme-not-valid-then",
     "The programme exists, but was not in force in the reporting period.",
     ("{cell}: «{value}» бағдарламасы {period} кезеңінде қолданылмаған.",
      "{cell}: программа «{value}» не действовала в периоде {period}.",
      "{cell}: programme '{value}' was not in force in {period}."),
     ("Кезеңді немесе бағдарламаны тексеріңіз.", "Проверьте период или программу.",
      "Check the period or the programme.")),
    ("KRM-W035", _W, "programme-list-not-covering",
     "No programme list in the reference data covers the reporting period, so the programme was checked "
     "against the most recent list known (the 2019 edition unless another is supplied).",
     ("{cell}: {period} кезеңіне арналған бағдарламалар тізімі жоқ; «{value}» соңғы белгілі тізім бойынша тексерілді.",
      "{cell}: для периода {period} нет списка программ; «{value}» проверена по последнему известному списку.",
      "{cell}: no programme list covers {period}; '{value}' was checked against the latest list known."),
     ("Сол жылдың бағдарламалар тізімін KRM_REFERENCE_DIR қалтасына салыңыз (docs/validate.md).",
      "Положите список программ того года в папку KRM_REFERENCE_DIR (docs/validate.md).",
      "Put that year's programme list in the KRM_REFERENCE_DIR folder (docs/validate.md).")),
    ("KRM-E058", _E, "activity-unknown",
     "The economic activity is not one of the nine groups of the forms.",
     ("{cell}: экономикалық қызмет түрі белгісіз: «{value}».", "{cell}: неизвестный вид деятельности: «{value}».",
      "{cell}: unknown economic activity: '{value}'."),
     ("Тоғыз топтың бірін тізімнен таңдаңыз.", "Выберите одну из девяти групп из списка.",
      "Choose one of the nine groups from the list.")),
    ("KRM-E059", _E, "basis-unknown",
     "The header's 'figures are' field is neither 'cumulative since January' nor 'for the month only'.",
     ("{cell}: деректер түрі белгісіз: «{value}».", "{cell}: неизвестный вид данных: «{value}».",
      "{cell}: unknown basis of the figures: '{value}'."),
     ("Тізімнен таңдаңыз: жинақталған немесе тек есепті ай үшін.",
      "Выберите из списка: нарастающим итогом или только за месяц.",
      "Choose from the list: cumulative or the month only.")),
    ("KRM-E060", _E, "district-not-valid-then",
     "The district exists, but not in the reporting period's administrative division.",
     ("{cell}: «{value}» ауданы {period} кезеңінде болған жоқ.", "{cell}: района «{value}» не было в периоде {period}.",
      "{cell}: district '{value}' did not exist in {period}."),
     ("Сол кезеңдегі әкімшілік бөліністі пайдаланыңыз.", "Используйте административное деление того периода.",
      "Use the administrative division of that period.")),
    # ------------------------------------------------------------ signature
    "signature",
    ("KRM-W020", _W, "signature-empty",
     "The signature block (executor, telephone, head) is not filled.",
     ("{cell}: «{field}» толтырылмаған.", "{cell}: не заполнено «{field}».", "{cell}: '{field}' is not filled."),
     ("Орындаушыны, телефонды және басшыны көрсетіңіз.", "Укажите исполнителя, телефон и руководителя.",
      "Give the executor, telephone and head.")),
    # ------------------------------------------------------------ workbook
    "workbook",
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
    # ------------------------------------------------------------ the annex's printed layout (krm.layouts)
    "layout",
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

# krm confirm (digital signatures): KRM-E201…, KRM-W201…, kept beside their checks
from krm.signatures.codes import ROWS as _SIGNATURE_ROWS  # noqa: E402 - pure data, no imports

_ROWS += ["digital-signature", *_SIGNATURE_ROWS]

# across months (krm.history): KRM-E301…, KRM-W301…, kept beside their checks
from krm.history.codes import ROWS as _HISTORY_ROWS  # noqa: E402 - pure data, no imports

_ROWS += ["across-months", *_HISTORY_ROWS]


def _records(rows: list) -> dict[str, Check]:
    out: dict[str, Check] = {}
    group = ""
    for row in rows:
        if isinstance(row, str):
            group = row
            continue
        code, sev, title, desc, msg, hint = row
        if code in out:
            raise ValueError(f"{code} twice in the catalogue")
        out[code] = Check(code=code, severity=sev, title=title, message=Words(*msg), description=desc,
                          hint=Words(*hint), group=group)
    return out


CATALOGUE: dict[str, Check] = _records(_ROWS)

#: the file could not be read: exit 2
READ_ERRORS = frozenset([f"KRM-E{n:03d}" for n in range(1, 11)] + ["KRM-E070", "KRM-E071", "KRM-E072"])


def severity(code: str) -> str:
    return CATALOGUE[code].severity


def markdown() -> str:
    """docs/catalogue.md: every finding code, generated from :data:`CATALOGUE`."""
    out = ["# Finding catalogue", "",
           "Generated by `python -m krm.catalogue > docs/catalogue.md`; do not edit by hand.", "",
           "Codes are stable. **E** = error (the data cannot be used as is; `krm validate` exits 1), "
           "**W** = warning (usable, but someone should look). E001-E010 and E070-E072 mean the file "
           "could not be read (exit 2). E201-E2xx and W201-W2xx are `krm confirm`'s (digital "
           "signatures); E201 means the signature file could not be read (exit 2). E301-E3xx and W301-W3xx "
           "compare a workbook with what the register holds of earlier months (docs/history.md).", "",
           "Each code is a typed record (`krm.findings.Check`: code, severity, section, name, message and "
           "hint in kk/ru/en); rules name it by its symbol in `krm.codes` (`from krm.codes import E034`), so "
           "a code missing here fails when the rule is imported.", "",
           "| code | severity | section | name | what it means |", "|---|---|---|---|---|"]
    for c in CATALOGUE.values():
        out.append(f"| {c.code} | {c.severity} | {c.group} | {c.title} | {c.description} |")
    out.append("")
    for c in CATALOGUE.values():
        out += [f"## {c.code} {c.title}", "", c.description, ""]
        for lang in ("kk", "ru", "en"):
            out.append(f"- {lang}: {c.message[lang]} — *{c.hint[lang]}*")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
