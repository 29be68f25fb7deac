"""Catalogue section "identifiers": BIN/IIN format and check digits.

Rows: code, severity, title, description, (kk, ru, en) message, (kk, ru, en) hint."""

from krm.catalogue.kinds import E as _E, W as _W

SECTION = "identifiers"

ROWS: list = [
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
]
