"""Catalogue rows of the checks across months (KRM-E301… errors, KRM-W301… warnings): a workbook compared
with what the register holds of earlier months, of the year's KRM-1 plan, of the districts' KRM-2, and the
outliers.  :mod:`krm.catalogue` adds them to the one catalogue.  Pure data: no imports.

Every message names the earlier version it was compared with: its file name, period and register version
id (``{prev_file}``, ``{prev_period}``, ``{prev_version}``)."""

_E = "error"
_W = "warning"

_SINCE = ("{prev_file}, {prev_period}, тізілім нұсқасы {prev_version}",
          "{prev_file}, {prev_period}, версия реестра {prev_version}",
          "{prev_file}, {prev_period}, register version {prev_version}")

ROWS = [
    ("KRM-E301", _E, "cumulative-fact-decreased",
     "A project's jobs created since January (cumulative) are fewer than in the same district's report of the "
     "previous month: a cumulative figure cannot go down.",
     ("{cell}: жыл басынан құрылған жұмыс орындары {value}, бұл өткен айдағыдан ({previous}) аз (" + _SINCE[0] + ").",
      "{cell}: создано рабочих мест с начала года {value} — меньше, чем в прошлом месяце ({previous}) ("
      + _SINCE[1] + ").",
      "{cell}: jobs created since January {value} is lower than the previous month's {previous} (" + _SINCE[2] + ")."),
     ("Өсу қорытындысымен толтырыңыз: өткен айдағы саннан кем болмауы керек; қате өткен айда болса, соны түзетіп қайта жіберіңіз.",
      "Заполняйте нарастающим итогом: не меньше прошлого месяца; если ошибка в прошлом месяце — исправьте и пришлите его заново.",
      "Report cumulatively: not less than last month; if last month was wrong, correct and resend it.")),
    ("KRM-E302", _E, "cumulative-disbursed-decreased",
     "A project's disbursed sum since January (cumulative) is lower than in the same district's report of the "
     "previous month.",
     ("{cell}: игерілген сома {value}, бұл өткен айдағыдан ({previous}) аз (" + _SINCE[0] + ").",
      "{cell}: освоенная сумма {value} меньше, чем в прошлом месяце ({previous}) (" + _SINCE[1] + ").",
      "{cell}: disbursed {value} is lower than the previous month's {previous} (" + _SINCE[2] + ")."),
     ("Игерілген соманы жыл басынан өсу қорытындысымен көрсетіңіз.",
      "Указывайте освоенную сумму нарастающим итогом с начала года.",
      "Give the disbursed sum cumulatively since January.")),
    ("KRM-E303", _E, "project-dropped",
     "A project listed in the same district's cumulative report of the previous month is missing now: its jobs "
     "and money would vanish from the year's totals. Matched by BIN and project name (or by BIN alone when "
     "it is unique).",
     ("«{project}» жобасы (БСН {bin}) өткен айдың есебінде болды, бұл есепте жоқ (" + _SINCE[0] + ").",
      "Проект «{project}» (БИН {bin}) был в отчёте прошлого месяца и отсутствует в этом (" + _SINCE[1] + ").",
      "Project '{project}' (BIN {bin}) was in the previous month's report and is missing from this one ("
      + _SINCE[2] + ")."),
     ("Жобаны өз көрсеткіштерімен қайта қосыңыз; жоба тоқтатылса, оны түсініктемеде көрсетіңіз.",
      "Верните проект с его показателями; если проект прекращён, укажите это в пояснении.",
      "Put the project back with its figures; if it was stopped, say so in an explanation.")),
    ("KRM-E304", _E, "krm3-differs-from-krm2",
     "A KRM-3 district's figures are not the sum of that district's accepted KRM-2 in the register for the same "
     "programme and period.",
     ("{cell}: {district} ауданы бойынша {measure} {value}, ал қабылданған КРМ-2-де {previous} (" + _SINCE[0] + ").",
      "{cell}: по району {district} {measure} {value}, а в принятой КРМ-2 — {previous} (" + _SINCE[1] + ").",
      "{cell}: district {district} {measure} {value}, but its accepted KRM-2 says {previous} (" + _SINCE[2] + ")."),
     ("КРМ-3-ті аудандардың қабылданған КРМ-2 нысандарынан қайта жинаңыз (krm aggregate).",
      "Соберите КРМ-3 заново из принятых КРМ-2 районов (krm aggregate).",
      "Build the KRM-3 again from the districts' accepted KRM-2 (krm aggregate).")),
    ("KRM-E305", _E, "krm3-missing-district",
     "A district whose KRM-2 for the same programme and period is accepted in the register has no rows in the "
     "region's KRM-3: its jobs and money are missing from the region's figures.",
     ("{district} ауданының қабылданған КРМ-2 нысаны (жұмыс орындары: жоспар {plan}, факт {fact}) бұл КРМ-3-те жоқ ("
      + _SINCE[0] + ").",
      "Принятая КРМ-2 района {district} (рабочие места: план {plan}, факт {fact}) отсутствует в этой КРМ-3 ("
      + _SINCE[1] + ").",
      "District {district}'s accepted KRM-2 (jobs planned {plan}, created {fact}) is missing from this KRM-3 ("
      + _SINCE[2] + ")."),
     ("КРМ-3-ті аудандардың қабылданған КРМ-2 нысандарынан қайта жинаңыз (krm aggregate).",
      "Соберите КРМ-3 заново из принятых КРМ-2 районов (krm aggregate).",
      "Build the KRM-3 again from the districts' accepted KRM-2 (krm aggregate).")),
    ("KRM-W301", _W, "project-changed",
     "A project's plan (jobs), allocated sum or implementation period changed since the same district's report "
     "of the previous month: the year's plan is fixed in KRM-1, so a change needs a reason.",
     ("{cell}: {field} {value}, өткен айда {previous} болды (" + _SINCE[0] + ").",
      "{cell}: {field} {value}, в прошлом месяце было {previous} (" + _SINCE[1] + ").",
      "{cell}: {field} is {value}, it was {previous} the previous month (" + _SINCE[2] + ")."),
     ("Жоспар өзгертілмесе, өткен айдағы мәнді қайтарыңыз; өзгертілсе, КРМ-1-ді жаңартып, түсініктеме беріңіз.",
      "Если план не менялся, верните прежнее значение; если менялся — обновите КРМ-1 и дайте пояснение.",
      "If the plan did not change, restore the earlier value; if it did, update the KRM-1 and explain.")),
    ("KRM-W302", _W, "project-differs-from-krm1",
     "A project's plan (jobs), allocated sum (РБ + ЖБ) or implementation period differs from the district's KRM-1 "
     "plan for the year (matched by project name).",
     ("{cell}: {field} {value}, жылдық КРМ-1 жоспарында {previous} (" + _SINCE[0] + ").",
      "{cell}: {field} {value}, в годовом плане КРМ-1 — {previous} (" + _SINCE[1] + ").",
      "{cell}: {field} is {value}, the year's KRM-1 plan says {previous} (" + _SINCE[2] + ")."),
     ("КРМ-1-дегі мәнді көрсетіңіз немесе КРМ-1-ді түзетіп қайта жіберіңіз.",
      "Укажите значение из КРМ-1 или исправьте и пришлите КРМ-1 заново.",
      "Use the KRM-1 value, or correct and resend the KRM-1.")),
    ("KRM-W303", _W, "facts-far-beyond-plan",
     "The district's jobs created this year (all its projects under the programme) are more than one and a "
     "half times its KRM-1 plan for the year.",
     ("{cell}: ауданның жыл басынан құрылған жұмыс орындары {value}, бұл КРМ-1 жоспарының ({previous}) {ratio} % ("
      + _SINCE[0] + ").",
      "{cell}: создано рабочих мест по району с начала года {value} — {ratio} % плана КРМ-1 ({previous}) ("
      + _SINCE[1] + ").",
      "{cell}: the district's jobs created this year, {value}, are {ratio} % of its KRM-1 plan {previous} ("
      + _SINCE[2] + ")."),
     ("Фактіні тексеріңіз (өсу қорытындысы, қайталанған жолдар); дұрыс болса, түсініктеме беріңіз.",
      "Проверьте факт (нарастающий итог, повторные строки); если верно — дайте пояснение.",
      "Check the facts (cumulative, repeated rows); if they are right, explain.")),
    ("KRM-W310", _W, "outlier-history",
     "Outlier against the district's own history (DHIS2's modified z-score): the month's value of a measure "
     "(jobs created or disbursed in the month, i.e. this month's cumulative figure minus last month's) is "
     "further than the threshold (3.5) from the median of the earlier months in the register (at least four), "
     "in units of their median absolute deviation.",
     ("{cell}: {measure} айға {value}; күтілетін аралық {low}…{high} (медиана {median}, z = {z}; {months} ай, "
      "тарихтағы min–max {min}…{max}).",
      "{cell}: {measure} за месяц {value}; ожидаемый диапазон {low}…{high} (медиана {median}, z = {z}; {months} мес., "
      "min–max в истории {min}…{max}).",
      "{cell}: {measure} in the month {value}; expected range {low}…{high} (median {median}, z = {z}; {months} months, "
      "history min–max {min}…{max})."),
     ("Айдың көрсеткішін тексеріңіз; дұрыс болса, түсініктеме беріңіз.",
      "Проверьте показатель месяца; если он верен — дайте пояснение.",
      "Check the month's figure; if it is right, explain it.")),
    ("KRM-W311", _W, "outlier-districts",
     "Outlier against the region's other districts for the same programme and month (DHIS2's modified z-score "
     "over the districts' values of the month, at least four districts).",
     ("{cell}: {measure} айға {value}; облыстың басқа аудандары бойынша күтілетін аралық {low}…{high} "
      "(медиана {median}, z = {z}; {districts} аудан).",
      "{cell}: {measure} за месяц {value}; ожидаемый диапазон по другим районам области {low}…{high} "
      "(медиана {median}, z = {z}; {districts} районов).",
      "{cell}: {measure} in the month {value}; expected range from the region's other districts {low}…{high} "
      "(median {median}, z = {z}; {districts} districts)."),
     ("Айдың көрсеткішін тексеріңіз; дұрыс болса, түсініктеме беріңіз.",
      "Проверьте показатель месяца; если он верен — дайте пояснение.",
      "Check the month's figure; if it is right, explain it.")),
]
