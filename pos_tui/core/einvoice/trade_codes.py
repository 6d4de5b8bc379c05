"""GİB's codes for exempt (ISTISNA) and withholding (TEVKIFAT) invoices, as data (docs/einvoice-trade.md).

The sets of valid codes are GİB's own lists, copied verbatim from the vendored schematron (``efatura.sch``:
``istisnaTaxExemptionReasonCodeType``, ``TaxExemptionReasonCodeType``, ``WithholdingTaxType`` and
``WithholdingTaxTypeWithPercent``); a test compares them with the file, so an update of the schematron that
changes a list fails loudly. The names are GİB's code list (UBL-TR Kod Listeleri, docs/einvoice-rules.md §7,
[S4] [S12]); a valid code without a name here is written as "<code> - KDV istisnası".
"""

from __future__ import annotations

from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _


def _codes(text: str) -> frozenset[str]:
    return frozenset(c for c in text.split(",") if c)


# Exemption codes an ISTISNA invoice may carry: GİB's istisna list (TaxExemptionReasonCodeCheck-3) that is
# also in the general code list (…Check-2); 308 and 339 are for YATIRIMTESVIK invoices only.
_ISTISNA_LIST = _codes(
    "001,101,102,103,104,105,106,107,108,201,202,204,205,206,207,208,209,211,212,213,214,215,216,217,218,219,220,"
    "221,223,225,226,227,228,229,230,231,232,233,234,235,236,237,238,239,240,241,242,250,301,302,303,304,305,306,"
    "307,308,309,310,311,312,313,314,315,316,317,318,319,320,321,322,323,324,325,326,327,328,329,330,331,332,333,"
    "334,335,336,337,338,339,340,341,342,343,344,350,501"
)
_EXEMPTION_LIST = _codes(
    "001,101,102,103,104,105,106,107,108,151,201,202,204,205,206,207,208,209,211,212,213,214,215,216,217,218,219,"
    "220,221,223,225,226,227,228,229,230,231,232,233,234,235,236,237,238,239,240,241,242,250,301,302,303,304,305,"
    "306,307,309,310,311,312,313,314,315,316,317,318,319,320,321,322,323,324,325,326,327,328,329,330,331,332,333,"
    "334,335,336,337,338,340,341,342,343,344,350,351,501,555,801,802,803,804,805,806,807,808,809,810,811,812,701,"
    "702,703,704"
)
YATIRIM_TESVIK_ONLY = frozenset({"308", "339"})
ISTISNA_VALID = (_ISTISNA_LIST & _EXEMPTION_LIST) - YATIRIM_TESVIK_ONLY

# The common ones with GİB's names (UBL-TR Kod Listeleri [S4]; docs/einvoice-rules.md §7.2).
ISTISNA_CODES: dict[str, str] = {
    "301": "11/1-a Mal ihracatı",
    "302": "11/1-a Hizmet ihracatı",
    "311": "14/1 Uluslararası taşımacılık",
    "312": "15/a Diplomatik organ ve misyonlara yapılan teslimler",
    "350": "Diğerleri",
}

# Withholding: the codes (WithholdingTaxTotalCheck-2) and every code + percent GİB allows (…Check-3).
# 650 ("Diğerleri") is in the percent list but not in the code list, so GİB's schematron refuses it: left out.
WITHHOLDING_VALID = _codes(
    "601,602,603,604,605,606,607,608,609,610,611,612,613,614,615,616,617,618,619,620,621,622,623,624,625,626,627,"
    "801,802,803,804,805,806,807,808,809,810,811,812,813,814,815,816,817,818,819,820,821,822,823,824,825"
)
_WITH_PERCENT = _codes(
    "60130,60140,60290,60350,60370,60450,60550,60690,60790,60890,60950,60970,61090,61190,61270,61290,61370,61390,"
    "61450,61550,61570,61650,61770,61870,61970,62070,62190,62290,62350,62420,62530,62620,65090,65050,65070,65020,"
    "65030,62740,62750,801100,802100,803100,804100,805100,806100,807100,808100,809100,810100,811100,812100,"
    "813100,814100,815100,816100,817100,818100,819100,820100,821100,822100,823100,824100,825100"
)
WITHHOLDING_PERCENTS: dict[str, tuple[int, ...]] = {
    code: tuple(sorted(int(p[3:]) for p in _WITH_PERCENT if p[:3] == code)) for code in sorted(WITHHOLDING_VALID)
}

# Short names (public code lists [S12], docs/einvoice-rules.md §7.1); 801–825: full withholding of the same.
WITHHOLDING_NAMES: dict[str, str] = {
    "601": "Yapım işleri ile mühendislik-mimarlık ve etüt-proje hizmetleri",
    "602": "Etüt, plan-proje, danışmanlık, denetim ve benzeri hizmetler",
    "603": "Makine, teçhizat, demirbaş ve taşıtlara ait tadil, bakım ve onarım hizmetleri",
    "604": "Yemek servis hizmeti",
    "605": "Organizasyon hizmeti",
    "606": "İşgücü temin hizmetleri",
    "607": "Özel güvenlik hizmeti",
    "608": "Yapı denetim hizmetleri",
    "609": "Fason olarak yaptırılan tekstil ve konfeksiyon işleri, çanta ve ayakkabı dikim işleri",
    "610": "Turistik mağazalara verilen müşteri bulma / götürme hizmetleri",
    "611": "Spor kulüplerinin yayın, reklam ve isim hakkı gelirlerine konu işlemleri",
    "612": "Temizlik hizmeti",
    "613": "Çevre ve bahçe bakım hizmetleri",
    "614": "Servis taşımacılığı hizmeti",
    "615": "Her türlü baskı ve basım hizmetleri",
    "616": "5018 sayılı kanun kapsamındaki idarelere yapılan diğer hizmetler",
    "617": "Hurda metalden elde edilen külçe teslimleri",
    "618": "Hurda dışı bakır, çinko, alüminyum ve kurşun külçe teslimleri",
    "619": "Bakır, çinko, alüminyum ve kurşun ürünlerinin teslimi",
    "620": "İstisnadan vazgeçenlerin hurda ve atık teslimi",
    "621": "Metal, plastik, lastik, kauçuk, kâğıt ve cam hurda ve atıklardan elde edilen hammadde teslimi",
    "622": "Pamuk, tiftik, yün ve yapağı ile ham post ve deri teslimleri",
    "623": "Ağaç ve orman ürünleri teslimi",
    "624": "Yük taşımacılığı hizmeti",
    "625": "Ticari reklam hizmetleri",
    "626": "Diğer teslimler",
    "627": "Demir-çelik ürünlerinin teslimi",
}


def exemption_name(code: str) -> str:
    """The reason text written next to an exemption code (``cbc:TaxExemptionReason``)."""
    return f"{code} - {ISTISNA_CODES.get(code, 'KDV istisnası')}"


def withholding_name(code: str) -> str:
    if code in WITHHOLDING_NAMES:
        return f"{code} - {WITHHOLDING_NAMES[code]}"
    if code.startswith("8") and code in WITHHOLDING_VALID:
        return f"{code} - Tam tevkifat"
    return code


def check_istisna(code: str) -> str:
    """An exemption code an ISTISNA invoice may carry (GİB's istisna list), or a clear error."""
    text = code.strip()
    if text in ISTISNA_VALID:
        return text
    if text == "351":
        raise ValidationError(
            _("Code 351 is 'not an exemption': use it on a SATIS invoice, not on an exemption invoice (İSTİSNA)")
        )
    raise ValidationError(
        _(
            "{code!r} is not an exemption code GİB allows on an exemption invoice (İSTİSNA); e.g. 301 export of"
            " goods, 350 other"
        ).format(code=text[:10])
    )


def check_withholding(code: str, percent: int) -> tuple[str, int]:
    """A withholding code and percent GİB accepts together (``WithholdingTaxTypeWithPercent``)."""
    text = code.strip()
    if text not in WITHHOLDING_VALID:
        raise ValidationError(
            _("{code!r} is not a withholding code GİB allows (601–627 or 801–825)").format(code=text[:10])
        )
    allowed = WITHHOLDING_PERCENTS[text]
    if percent not in allowed:
        raise ValidationError(
            _("Withholding code {code} allows {allowed} %, not {percent} %").format(
                code=text, allowed=", ".join(str(p) for p in allowed), percent=percent
            )
        )
    return text, percent


def parse_withholding(text: str) -> tuple[str, int]:
    """``CODE:PERCENT`` (``624:20``), the percent also as a fraction (``602:9/10``)."""
    code, sep, rest = text.strip().partition(":")
    rest = rest.strip()
    percent: int | None = None
    if sep and "/" in rest:
        num, _slash, den = rest.partition("/")
        if num.strip().isdigit() and den.strip().isdigit() and int(den) > 0 and int(num) * 100 % int(den) == 0:
            percent = int(num) * 100 // int(den)
    elif sep and rest.isdigit():
        percent = int(rest)
    if percent is None:
        raise ValidationError(
            _("Withholding {text!r}: write CODE:PERCENT, e.g. 624:20 or 602:9/10").format(text=text.strip()[:20])
        )
    return check_withholding(code, percent)
