"""The message catalogue: complete in both languages, fields consistent, errors that say what to add."""
import pytest

from evalkit import i18n
from evalkit.errors import ParameterError


def test_every_message_has_both_languages_with_the_same_fields():
    messages = i18n.catalogue()
    assert messages, "the catalogue is empty"
    for key, (zh, en) in messages.items():
        assert zh.strip() and en.strip(), key
        assert i18n._fields(zh) == i18n._fields(en), key


def test_lookup_fills_fields_in_each_language():
    assert i18n.t("common.source", "zh", source="民政部") == "资料来源：民政部"
    assert i18n.t("common.source", "en", source="MCA") == "Source: MCA"
    assert i18n.labels("common", "en")["yes"] == "yes"
    assert i18n.labels("common", "zh")["no"] == "否"


def test_unknown_key_and_language_are_clear_errors():
    with pytest.raises(ParameterError, match=r"did you mean 'common\.yes'"):
        i18n.t("common.yse", "zh")
    with pytest.raises(ParameterError, match="lang must be 'zh' or 'en'"):
        i18n.t("common.yes", "fr")
    with pytest.raises(ParameterError, match="needs the field 'source'"):
        i18n.t("common.source", "en", other="x")


def test_english_texts_hold_no_chinese_and_chinese_texts_are_chinese():
    import re

    han = re.compile(r"[\u4e00-\u9fff]")
    for key, (zh, en) in i18n.catalogue().items():
        assert not han.search(en), f"{key}: English text contains Chinese: {en!r}"
        # file paths and code (``data/reference/pilots.csv``, ``status=illustrative``) are not prose
        prose = re.sub(r"[\w.-]*[/=][\w./=-]*", " ", re.sub(r"\{[^}]*\}", "", zh))
        if re.search(r"[A-Za-z]{4,}", prose):
            words = set(re.findall(r"[A-Za-z]{4,}", prose))
            assert words <= ALLOWED_IN_ZH, f"{key}: English words in the Chinese text: {words - ALLOWED_IN_ZH}"


#: method names and units that may stay in Latin letters in a Chinese text
ALLOWED_IN_ZH = {"Callaway", "Sant", "Anna", "Sobol", "ARIMA", "SARIMAX", "Holt", "Poisson", "COINr", "Monte",
                 "Carlo", "Newey", "West", "Abadie", "MAPE", "MASE", "RMSE", "RMSPE", "TWFE", "Excel", "Word",
                 "AICc", "README", "PDF"}
#: impact: test and weight names (Wald, Ljung–Box, Webb, Rademacher) and the product's own name
ALLOWED_IN_ZH |= {"Wald", "Ljung", "Webb", "Rademacher", "evalkit"}
