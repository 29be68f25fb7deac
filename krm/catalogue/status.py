"""The problems ``krm status`` lists beside a workbook it could not count (not finding codes: the words of
:mod:`krm.status`), in the three languages krm speaks.

Each is a (kk, ru, en) template; ``{first}`` is the first error's code and its message from the catalogue in
the same language.  The English text is the one ``krm status --format json`` carries as ``problem``."""

from krm.findings import Words

PROBLEMS: dict[str, Words] = {
    "errors": Words("{n} қате (біріншісі: {first}); оны krm validate арқылы тексеріңіз",
                    "ошибок: {n} (первая: {first}); проверьте его командой krm validate",
                    "{n} errors (first: {first}); run krm validate on it"),
    "finding": Words("{first}", "{first}", "{first}"),
    "not-a-form": Words("КРМ нысаны ретінде оқылмады", "не прочитан как форма КРМ", "not read as a KRM form"),
    "unreadable": Words("оқылмайды: {error}", "не читается: {error}", "unreadable: {error}"),
    "region": Words("{value!r} өңірі {period} үшін белгісіз", "регион {value!r} неизвестен для {period}",
                    "region {value!r} unknown for {period}"),
    "district": Words("{value!r} ауданы {period} тізімінде жоқ", "района {value!r} нет в списке {period}",
                      "district {value!r} not in the {period} list"),
    "programme": Words("{value!r} бағдарламасы белгісіз", "программа {value!r} неизвестна",
                       "programme {value!r} unknown"),
    "unexpected-district": Words(
        "күтілмеген: {district} ауданы өз өңірінің күтілген аудандарының ішінде жоқ (оған КРМ-1 жоспары жоқ "
        "немесе ол {period} анықтамалық тізімінде жоқ)",
        "не ожидался: района {district} нет среди ожидаемых районов его региона (для него нет плана КРМ-1 или "
        "его нет в справочнике на {period})",
        "not expected: district {district} is not among the expected districts of its region (no KRM-1 plan "
        "for it, or not in the {period} reference list)"),
    "unexpected": Words("осы айға күтілмеген", "не ожидался за этот месяц", "not expected for this month"),
}


def problem(key: str, lang: str, **params) -> str:
    """The problem ``key`` in ``lang``; a parameter given as :class:`Words` is taken in the same language."""
    fields = {k: (v.get(lang) or v.en) if isinstance(v, Words) else v for k, v in params.items()}
    return PROBLEMS[key].get(lang, PROBLEMS[key].en).format(**fields)
