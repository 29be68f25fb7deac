"""Catalogue section "reading": the file could not be read at all (exit status 2); also E070-E072 from discovery.

Rows: code, severity, title, description, (kk, ru, en) message, (kk, ru, en) hint."""

from krm.catalogue.kinds import E as _E

SECTION = "reading"

ROWS: list = [
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
     "The workbook can be read in more than one way, so krm would not know it reads what Excel shows: its list "
     "of sheets (a second <sheet> element in another namespace, two sheets with one name, a sheet whose "
     "relationship is missing, repeated or not a worksheet, a main part other than xl/workbook.xml, another "
     "reader listing other sheets) or its members (two whose names differ only in case: Excel refuses such a "
     "package, a reader that finds parts in any case takes either).",
     ("Жұмыс кітабын әртүрлі оқуға болады: әр бағдарлама онда әртүрлі парақтарды немесе деректерді көрсетуі "
      "мүмкін ({detail}).",
      "Книгу можно прочитать по-разному: разные программы могут показать в ней разные листы или данные "
      "({detail}).",
      "The workbook can be read in more than one way: programs could show different sheets or data in it "
      "({detail})."),
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
]
