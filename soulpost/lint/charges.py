"""Prices that are not the poster selling (the 80/20 rule's price test).

A price sells when the poster asks the reader to pay it. These are told apart, in four
languages, from what is around the price:

- a **charge** owed to an authority: a charge, fee, fine, tax, toll or fare named just
  before the price ("the new charge is £45 a year", "die Gebühr steigt auf…", "une amende
  de 135 €", "la tasa será de 40 €"), or a fine or a deposit just after it ("200 € de
  multa", "2 € Pfand"). The seller's own fee ("our fee is £40") still sells;
- a **quoted** price: one inside quotation marks is someone else's words (a scam text, a
  chain letter, a shop's poster told of), not the poster's offer;
- a price that **names the item** meant, in a test or a comparison ("the £18 one was
  the quietest");
- a **wage** in a job post: "£14.50 an hour" or "24.000 € brutos al año" beside "we're
  hiring" is pay offered, not a price asked;
- an **allowance** the reader is paid or allowed, named earlier in the sentence: a
  benefit, a grant, a tax allowance ("die Homeoffice-Pauschale beträgt 6 Euro pro Tag");
- **parking** by the hour or the day in a post about parking, not in the seller's voice
  ("'FREE PARKING' says the sign… after that it's £1.50 an hour");
- a **reported price change**: a price of a utility, a ticket, a stamp or a rent that goes
  up or down, a price someone else decided or announced, or one an insurer, the state or
  an employer pays ("Die Krankenkasse zahlt ab Juli…") ("Thames Water is putting bills
  up by 9%… £45 more a year", "Der Kreistag hat beschlossen: … 29 Euro im Monat", "la luz
  subirá un 6 %"), in a post with no seller's voice (no our, we): consumer news;
- a **price rise**: a new price said against the old one it replaces and higher than it
  ("kostet dann 34,90 € statt 32,90 €", "£9 instead of £8"): a rise is news to customers,
  never a discount (where the new price is lower, it may be an offer and still sells);
- a sum **spent or paid by the poster**: a cost already paid ("Der neue Boden hat 40.000
  Euro gekostet") or money we pay to others ("Unseren Beschäftigten zahlen wir 40 € davon
  als Zuschuss"), in German, or a cost we bear, in any of the four languages ("costs us
  about £1,800 more a year", "kostet uns ca. 1.800 €"): nobody is asked to pay it;
- a **deposit paid back** ("so we can refund the £30 deposit", "te devolvemos la fianza
  de 50 €"): the reader gets the money, nobody buys anything;
- a price of something sold **in any shop**, in a sentence not in the seller's voice
  ("Foam lagging is about £2 a metre at any DIY shop", "in jedem Baumarkt"): advice on
  what a thing costs, nobody's offer;
- a **threshold** a rule sets, named earlier in the sentence and said as a limit just
  before the price: "income over £50,000", "mehr als 30 Verkäufe oder über 2.000 € im
  Jahr", "le plafond … est de 77 700 €", "el límite … está en 22.000 €": a tax or
  reporting rule explained, nobody's offer;
- a price said to **stay as it was** just before it ("Le tarif ne change pas (2 € la
  livraison)", "Der Preis bleibt gleich"), or **guessed at** ("about £1.20 a portion",
  "etwa 1,20 €"): nothing new is asked of anyone.
"""

from __future__ import annotations

import re

from soulpost.text.lazyre import lazy

# Compiled when first asked for: only a post with a price needs them (soulpost.text.lazyre).
_charge_before = lazy(
    r"""\b(?:charges?|fees?|fined?|fines|tax|taxes|levy|tolls?|fares?|penalty|surcharge
       |gebühr\w*|abgabe|steuer\w*|bußgeld\w*|strafe|maut|ticketpreis\w*|\w*ticket|fahrpreis\w*
       |amendes?|redevance|péage|tarif\ social
       |tasas?|multas?|impuestos?|peajes?|sanción|recargo)
       (?:\s+[^\W\d_]+){0,3}\s*[:]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "mein", "meine"…, not "Meinung"
_seller = lazy(
    r"\b(?:our|my|unser\w*|mein(?:e[mnrs]?)?|notre|nos|mon|ma|mes|nuestr\w*|mis?)\b", re.I
)
# The seller's voice anywhere in the post: a reported price is news only without it.
_seller_voice = lazy(
    r"""\b(?:our|ours|we|we['’](?:re|ve|ll)|my|i['’]m
       |unser\w*|wir|uns|mein(?:e[mnrs]?)?
       |notre|nos|nous|mon|ma|(?<!\bal\ )(?<!\bel\ )(?<!\bun\ )(?<!\bpor\ )(?<!\bcada\ )mes
       |nuestr\w*|nosotr\w*|mis?)\b""",  # French "mes", not Spanish "al mes" (a month)
    re.IGNORECASE | re.VERBOSE,
)
# A charge named just after the price: "200 € de multa", "135 € d'amende", "a £200 fine";
# a deposit paid back on return ("Mehrweg mit 2 € Pfand") is not a price either.
_charge_after = lazy(
    r"""[\d,.]*\s*(?:[$€£]|euros?\b|eur\b)?\s*(?:de\s+multa|de\s+sanción|de\s+recargo|d['’]amende
       |de\s+pénalité|fine|penalty|bußgeld|verwarnungsgeld|strafe|pfand)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# Pay for a job: the unit of a wage after the price, and a word of hiring in the post.
_wage_after = lazy(
    r"""[\d,.]*\s*(?:[$€£¥]|euros?\b|eur\b|dollars?\b|pounds?\b)?\s*
       (?:(?:an|per|a|the)\s+(?:hour|year)|per\ annum|(?:pro|die|je)\s+stunde|(?:im|pro)\ jahr
       |de\ l['’]heure|par\ (?:heure|an)|brut(?:e|s|es)?|(?:la|por|a\ la)\s+hora|al\ año
       |brutto|gross|brut[oa]s?)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_hiring = lazy(
    r"""\b(?:hiring|vacanc(?:y|ies)|apply|applications?|salary|wages?
       |apprentice\w*|trainees?|taking\ on|azubis?|auszubildende\w*|apprenti\w*|aprendiz\w*
       |stellen\ ein|wir\ suchen|bewerb\w*|gehalt|lohn|stellenanzeige
       |recrut\w*|candidat\w*|salaire|poste
       |buscamos|contratamos|candidatura|sueldo|salario|oferta\ de\ empleo)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# Money the reader is paid or allowed by a rule or an authority, named earlier in the same
# sentence: an allowance, a benefit, a grant ("Die Homeoffice-Pauschale beträgt 6 Euro pro
# Tag, höchstens 1.260 Euro im Jahr"). Nobody is asked to pay it.
_allowance_before = lazy(
    r"""\b(?:allowances?|benefits?|pensions?|grants?|bursar(?:y|ies)|stipends?|tax[- ]free
       |\w*pauschale|\w*pauschbetr(?:ag|äge)\w*|\w*freibetr(?:ag|äge)\w*|(?:kinder|eltern|wohn|bürger|pflege|kranken|arbeitslosen)geld|bafög|renten?|zuschuss\w*|förderung
       |aufwandsentschädigung|allocations?|bourses?|subventions?|aides?\ (?:au|à\ la|de\ l)
       |ayudas?|subvenci[oó]n\w*|prestaci[oó]n\w*|becas?|pensi[oó]n\w*)\b[^.!?\n]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Parking by the hour or the day, in a post about parking and not in the seller's voice: a
# charge of the car park told to drivers ("'FREE PARKING' says the sign… After that it's
# £1.50 an hour", "Danach kostet jede Stunde 1,50 Euro").
_per_time_after = lazy(
    r"""[\d,.]*\s*(?:[$€£]|euros?\b)?\s*(?:(?:an|per|a|the)\s+(?:hour|day)\b
       |(?:pro|die|je|am)\s+(?:angefangene\s+|volle\s+|weitere\s+)?(?:stunde|tag)\b
       |de\ l['’]heure|par\ (?:heure|jour)\b
       |(?:la|por|a\ la)\s+(?:hora|día)\b|/\s?h\b)""",
    re.IGNORECASE | re.VERBOSE,
)
_hourly_before = lazy(r"\b(?:jede|pro|die)\s+(?:weitere\s+)?stunde\s*(?:kostet|kosten)?\s*$", re.I)
_parking = lazy(
    r"""\b(?:park(?:ing|s|en|t|haus|platz|gebühr\w*|schein\w*|uhr)?|car\ park|stationnement
       |garer|aparcamiento|aparcar|parquímetro|zona\ azul)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A price naming which item is meant, in a test or a comparison: "the £18 one was the
# quietest", "the €5 version". The seller says "our £18 kettle".
_the_before = lazy(r"\bthe\s*$", re.IGNORECASE)
_item_after = lazy(r"[\d,.]*\s*(?:ones?|versions?|models?|options?)\b", re.IGNORECASE)
# A price that someone else changes or sets: a change of a bill, a fare, a stamp, a rent…,
# or a decision or announcement told of.
_reported = lazy(
    r"""\b(?:bills?|prices?|fares?|rents?|stamps?|tariffs?|passes|pass|tickets?|postage|cap
         |tax|taxes|charges|fees|rates|levy)\b
         [^.!?\n]{0,40}?\b(?:go(?:es|ing)?\ (?:up|down)|went\ (?:up|down)|rise|rises|rising
         |rose|fall|falls|fell|increas\w*|cut|cuts)\b
       | \b(?:putting|puts|raising|raises|raised|increasing|increases|cutting|cuts)
         \s+(?:the\s+)?(?:price|prices|bills?|fares?|rents?|tariffs?|postage)\b
       | \b(?:announced|confirmed|according\ to|price\ caps?)\b
       | \b(?:nhs|insurers?|the\ state|the\ council|the\ government|employers?)
         \s+(?:pays?|covers?|will\ (?:pay|cover)|refunds?)\b
       | \b(?:krankenkassen?|kassen?|versicherung\w*|staat|bund|land|stadt|gemeinde|jobcenter
         |arbeitgeber\w*)\s+(?:zahlt|zahlen|übernimmt|übernehmen|erstattet|erstatten|bezahlt)\b
       | \b(?:la\ sécu|sécurité\ sociale|l['’]assurance\ maladie|mutuelles?|l['’]état|la\ commune
         |employeurs?)\s+(?:rembourse\w*|prend\w*\ en\ charge|paie|paiera)\b
       | \b(?:la\ seguridad\ social|el\ estado|la\ mutua|el\ seguro|el\ ayuntamiento|la\ empresa)
         \s+(?:paga|pagará|cubre|cubrirá|reembolsa\w*|financia\w*)\b
       | \b(?:erhöht|erhöhen|erhöhte|erhöhten|senkt|senken|senkte|senkten)\b(?!\s+sie\b)
       | \b(?:steigt|steigen|stieg|stiegen|gestiegen|beschlossen|festgelegt|festgesetzt|angehoben
         |gesenkt)\b|\bteilte\b[^.!?\n]{0,60}?\bmit\b
       | \blaut\s+(?:de[mnrs]|eine[mrs]?|(?-i:[A-ZÄÖÜ])\w+)\b  # laut Verwaltung: a source, not loud
       | ,\s+(?:[^\W\d_][\w'’-]*\s+){1,5}?(?:said|says|found|reported|reports|sagt|sagte|berichtet
         |meldet|indique|rapporte|affirme|informa|informó|dijo|asegura)\b  # …, the ONS said
       | \b(?:selon|según)\s+(?:l[ae']|les|el|los|la|las|(?-i:[A-ZÉÁÍÓÚ])\w+)  # a source
       | \b(?:erstattet|erstatten|übernimmt|übernehmen)\b  # someone else pays it back
       | \b(?:piden|exigen|reclaman|verlangen|fordern|demandent|réclament  # a scam's ask
         |asking\ for|ask\ for|asks\ for)\b
       | \b(?:approved|agreed|has\ set|have\ set|a\ fixé|ont\ fixé|a\ voté|ont\ voté|ha\ fijado
         |han\ fijado|ha\ aprobado|han\ aprobado|aprobó|aprobaron)\b
       | \b(?:augmente|augmentent|augmentera|augmenteront|augmenté|baisse|baissent|baissera
         |baisseront|baissé|a\ annoncé|ont\ annoncé|a\ décidé|selon)\b
       | \b(?:sube|suben|subirá|subirán|subió|baja|bajan|bajará|bajarán|bajó
         |ha\ anunciado|han\ anunciado|ha\ decidido|según)\b""",
    re.IGNORECASE | re.VERBOSE,
)


# A price against the one it replaces: "34,90 € statt 32,90 €", "£9 instead of £8".
# Not an ordinal ("1er juin", "3rd"): a date is no old price. (gen7give)
_NUM = (
    r"(?:[$€£]\s?)?(\d[\d.,]*)(?![\d.,]*(?:er|re|ère|e|ème|st|nd|rd|th)\b)"
    r"\s?(?:[$€£]|euros?\b|eur\b|pounds?\b|dollars?\b)?"
)
_instead = lazy(
    _NUM
    + r"""\s*(?:[^\W\d_]+\s+){0,2}?(?:statt|anstatt|anstelle\ von|instead\ of|rather\ than
       |in\ place\ of|au\ lieu\ de|contre|en\ lugar\ de|en\ vez\ de
       |[(\[]\s*(?:bisher|zuvor|vorher|previously|was|before|auparavant|avant|antes|hasta\ ahora
       |statt|instead\ of|au\ lieu\ de|en\ lugar\ de|en\ vez\ de)
        :?)\s+(?:the\s+|den\s+|der\s+
       |bisher(?:igen)?\s+|bisher\s+|les\s+|los\s+|las\s+|the\ current\s+|the\ old\s+)?"""
    + _NUM,
    re.IGNORECASE | re.VERBOSE,
)
# A sum spent, or paid by the poster to others: "hat 40.000 Euro gekostet", "zahlen wir
# weiterhin 40 € dazu" (German).
_spent_after = lazy(
    r"[\d,.]*\s*(?:€|euros?\b|eur\b)?\s+(?:gekostet|investiert|ausgegeben|verbaut)\b", re.I
)
# A cost the poster bears, told in any of the four languages: "costs us about £1,800 more a
# year", "kostet uns ca. 1.800 €", "nous coûte 2 000 €", "nos cuesta unos 300 €".
_costs_us_before = lazy(
    r"""\b(?:costs?\ us|kostet\ uns|kosten\ uns|kostete\ uns
       |nous\ (?:coûte|coûtent|a\ coûté)|nos\ (?:cuesta|cuestan|costó|ha\ costado))
       \s+(?:[^\W\d_]+\.?\s+){0,2}?(?:\d{1,3}[\s.,])?$""",
    re.IGNORECASE | re.VERBOSE,
)
# A deposit paid back to the reader: "so we can refund the £30 deposit", "la consigne de
# 2 € vous est rendue", "te devolvemos la fianza de 50 €".
_deposit_after = lazy(
    r"[\d,.]*\s*(?:[$€£]|euros?\b|eur\b)?\s*(?:deposits?|consignes?|cautions?|fianzas?|depósitos?)\b",
    re.I,
)
_deposit_before = lazy(
    r"\b(?:deposits?|consignes?|cautions?|fianzas?|depósitos?)\s+(?:of|de)\s*$", re.I
)
_paid_back = lazy(
    r"\b(?:refund\w*|paid\ back|pay\ (?:it\ )?back|returned|rembours\w*|rendu\w*|restitu\w*"
    r"|devolv\w*|devuelv\w*|reembols\w*|zurück\w*|erstatt\w*)",
    re.I,
)
_we_pay_before = lazy(
    r"""(?:\b(?:zahlen|übernehmen|erstatten|spenden|schenken)\s+wir
       |\bwir\b(?:(?!\b(?:sie|du|ihr|ihnen|euch|dir)\b)[^.!?\n]){0,50}?
        \b(?:zahlen|übernehmen|erstatten|spenden|schenken))\b[^.!?\n]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# A price asked about, weighed or unchanged, not asked for: "would you pay £3 a day?",
# "not sure any of them is worth £200", "bags are still £6.50".
_weighed_before = lazy(
    r"""\b(?:(?:would|will|should|do|did|could)\s+(?:you|they|people|parents|readers|drivers)
        |(?:you|they|people|parents|readers|drivers)\s+(?:would|might|could))
        \s+(?:\w+\s+){0,3}?(?:pay|spend)\s*$|\bworth\s*$|\b(?:is|are)\s+still\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Sold in any shop: "at any DIY shop", "in jedem Baumarkt", "dans n'importe quelle
# pharmacie", "en cualquier ferretería".
_any_shop = lazy(
    r"""\b(?:(?:at|in|from)\s+(?:any|most|every)\s+(?:[^\W\d_]+\s+){0,2}?(?:shops?|stores?
       |supermarkets?|chemists?|pharmac(?:y|ies)|garden\ cent(?:re|er)s?|retailers?|outlets?)
       |(?:in|bei)\s+(?:jede[mnr]?|fast\ jede[mnr]?|allen)\s+(?:[^\W\d_]+\s+)?(?:baumärkte?n?
       |\w*markt|\w*märkten|drogerien?|apotheken?|läden|laden|geschäft(?:en)?|discountern?)
       |dans\s+(?:n['’]importe\ quel(?:le)?|tous\ les|toutes\ les|la\ plupart\ des)\s+
        (?:[^\W\d_]+\s+)?(?:magasins?|supermarchés?|pharmacies?|grandes?\ surfaces?|drogueries?
       |quincailleries?|boutiques?)
       |en\s+(?:cualquier|todas\ las|todos\ los|la\ mayoría\ de)\s+(?:[^\W\d_]+\s+)?
        (?:tiendas?|ferreterías?|farmacias?|supermercados?|droguerías?|bazares|bazar))\b""",
    re.IGNORECASE | re.VERBOSE,
)

# An allowance named just after the price: "your £20,000 allowance", "der Freibetrag" after
# "1.000 €": the reader's limit under a rule, not a price.
_allowance_after = lazy(
    r"""[\d,.]*\s*(?:[$€£]|euros?\b|eur\b)?\s*(?:(?:tax[- ]free\s+|isa\s+|personal\s+)?allowances?
       |freibetrag|sparerpauschbetrag|pauschbetrag|abattement|exención|mínimo\ exento)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A threshold: a noun of a limit or of what is counted against one (income, turnover,
# sales, Umsatz, plafond, umbral…) earlier in the sentence, and a word of limit just before
# the price ("over", "über", "est de", "más de"), not in the seller's voice: a rule
# explained ("income over £50,000", "le plafond … est de 77 700 €"). "Orders over £50 ship
# free" names no such noun.
_threshold_before = lazy(
    r"""\b(?:thresholds?|limits?|ceilings?|income|incomes|turnover|earnings|revenues?|profits?
       |\w*grenzen?|schwellen?\w*|umsatz\w*|einkommen|einkünfte|einnahmen|verkäufe|gewinne?
       |plafonds?|seuils?|chiffre\ d['’]affaires|revenus?|recettes|bénéfices?|limites?
       |umbral(?:es)?|límites?|topes?|ingresos|facturación|factur(?:as|áis|an|a)|ventas
       |beneficios|rentas?)\b[^.!?\n]*?
       \b(?:over|above|more\ than|exceeding|exceeds?|under|below|less\ than|of|is
       |über|mehr\ als|unter|weniger\ als|bei|von|beträgt|liegt\ bei|plus\ de|moins\ de
       |au-delà\ de|dépasse\w*|est\ de|sous|de|más\ de|menos\ de|superior\ a|inferior\ a
       |supera\w*|es\ de|está\ en|en)\s*(?:\d{1,3}[\s.,])?$""",
    re.IGNORECASE | re.VERBOSE,
)


def _amount(digits: str) -> float:
    """The value of a price's digits, told "1.000,50" and "1,000.50" apart by what follows
    the last separator (two digits: the cents)."""
    digits = digits.rstrip(".,")
    cut = max(digits.rfind("."), digits.rfind(","))
    if cut >= 0 and len(digits) - cut - 1 == 2:
        whole, cents = digits[:cut], digits[cut + 1 :]
    else:
        whole, cents = digits, "0"
    return float(whole.replace(".", "").replace(",", "") + "." + cents)


def price_rise(text: str, at: int) -> bool:
    """Whether the price at *at* is one side of a new price said against a lower old one."""
    for found in _instead().finditer(text, max(0, at - 80)):
        if found.start() > at:
            break
        if found.start() <= at < found.end():
            return _amount(found.group(1)) > _amount(found.group(2))
    return False


def owed_charge(text: str, at: int) -> bool:
    """Whether the price at *at* is named as a charge, fee, fine, tax or fare just before
    it, and not as the poster's own (see _charge_before)."""
    head = text[max(0, at - 60) : at]
    charge = _charge_before().search(head)
    return charge is not None and _seller().search(head) is None


# gen7give: a price said to stay as it was, just before it ("Le tarif ne change pas (2 € la
# livraison)", "the fee stays the same: £2", "Der Preis bleibt gleich (3 €)", "el precio no
# cambia: 2 €"): news to customers, nobody asked to pay anything new.
_unchanged_before = lazy(
    r"""\b(?:ne\ change(?:nt)?\ pas|reste(?:nt)?\ (?:inchangée?s?|le\ même|la\ même|les\ mêmes)
       |inchangée?s?|sans\ changement|stays?\ the\ same|remains?\ the\ same|unchanged
       |(?:doesn|don|won)['’]t\ change|bleib(?:t|en)\ (?:gleich|unverändert|wie\ bisher)
       |unverändert|ändert\ sich\ nicht|no\ cambia[n]?|sigue[n]?\ igual|sin\ cambios
       |stays?\ at|remains?\ at|(?:is|are)\ still|bleib(?:t|en)\ bei|se\ queda[n]?\ en)\b
       [^.!?\n]{0,30}$""",
    re.IGNORECASE | re.VERBOSE,
)


# gen7give: a price guessed at, just before it ("costs about £1.20 a portion to make", "kostet
# etwa 1,20 €", "revient à environ 1,20 €", "sale a unos 1,20 €"): an estimate, nobody's offer.
_about_before = lazy(
    r"""\b(?:about|around|roughly|approximately|approx\.|circa|ca\.|etwa|ungefähr|rund|environ
       |à\ peu\ près|approximativement|unos|unas|alrededor\ de|aproximadamente|cerca\ de)\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def not_a_sale(text: str, at: int, end: int) -> bool:
    """Whether the price from *at* to *end* in *text* is not the poster selling: a charge
    owed to an authority, a quoted price, a price naming an item, a wage in a job post, or
    a price change told as news (see the module's docstring)."""
    if owed_charge(text, at) or _charge_after().match(text, end):
        return True
    head = text[max(0, at - 120) : at]
    if _allowance_before().search(head) and not _seller().search(head):
        return True
    if _threshold_before().search(head) and not _seller().search(head):
        return True
    if _allowance_after().match(text, end):
        return True
    from soulpost.lint.draft import without_quotes

    if without_quotes(text)[at] == "_":
        return True
    if _wage_after().match(text, end) and _hiring().search(text):
        return True
    hourly = _per_time_after().match(text, end) or _hourly_before().search(text, 0, at)
    if hourly and _parking().search(text) and not _seller_voice().search(text):
        return True
    if _the_before().search(text, max(0, at - 6), at) and _item_after().match(text, end):
        return True
    if price_rise(text, at):
        return True
    if _weighed_before().search(head[-60:]):
        return True
    if _spent_after().match(text, end) or _we_pay_before().search(head):
        return True
    if _costs_us_before().search(head[-40:]):
        return True
    if _unchanged_before().search(head[-70:]) or _about_before().search(head[-24:]):
        return True
    deposit = _deposit_after().match(text, end) or _deposit_before().search(head[-30:])
    if deposit and _paid_back().search(text):
        return True
    if _any_shop().search(text, end, end + 80) and not _seller_voice().search(text):
        return True
    return _reported().search(text) is not None and _seller_voice().search(text) is None


# A new price said against a higher old one, in either order: "35 € (antes 50)", "£35 (was
# £50)", "39 € au lieu de 55 €", "was £50, now £35", "statt 69 € nur 49 €". Lower than
# before is an offer (a rise is news: price_rise); prices after "a", "à", "de" are not
# found by the price search, so this looks at the pair itself.
_cut_words = lazy(
    r"\b(?:statt|anstatt|instead|au\ lieu|en\ lugar|en\ vez|antes|was|before|avant|bisher"
    r"|zuvor|vorher|previously|auparavant)\b",
    re.I,
)
_was_now = lazy(
    r"""\b(?:was|statt|vorher|bisher|avant|antes|before|previously)\s*:?\s*"""
    + _NUM
    + r"""\s*[,;/–—-]?\s*(?:now|only|jetzt|nur|maintenant|seulement|ahora|solo|sólo)\s*:?\s*"""
    + _NUM,
    re.IGNORECASE | re.VERBOSE,
)
_money = lazy(r"[$€£]|\d\s?(?:euros?|eur)\b", re.I)


def price_cut(text: str) -> re.Match[str] | None:
    """A price said against a higher old one, with a currency and not told as news
    (:func:`not_a_sale`): an offer."""
    if not _cut_words().search(text):
        return None
    for pattern, new, old in ((_instead(), 1, 2), (_was_now(), 2, 1)):
        for found in pattern.finditer(text):
            if not _money().search(found.group(0)):
                continue
            if _amount(found.group(new)) < _amount(found.group(old)) and not not_a_sale(
                text, found.start(), found.end()
            ):
                return found
    return None
