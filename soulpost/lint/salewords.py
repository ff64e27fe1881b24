"""What the promotional and invites-reply classifiers of :mod:`soulpost.lint.draft` look
for before they run their patterns: the words that gate them, and where a promotional
match can begin."""

from __future__ import annotations

import re

from soulpost.text.lazyre import lazy

# Where a match of PROMOTIONAL can begin: every branch starts at a word boundary with one
# of these words or a digit. Trying the pattern only at these places finds the same
# leftmost match as a search (a search tries each place in turn, and look-behinds and
# word boundaries still see the text before the place), without trying a dozen branches,
# some behind look-behinds, at nearly every letter: 44 % fewer instructions for the
# promotional classification. Same flags as the pattern each stands in front of, so
# case-insensitive matching folds the same characters (k and the Kelvin sign...).
PROMO_STARTS = (
    r"\b(?=\d|half|discount|coupon|promo|voucher|flash|sale|on|money|free|pre|buy|order"
    r"|shop|purchase|subscribe|upgrade|book|register|sign|get|dm|message|link)"
)
promo_starts = lazy(PROMO_STARTS, re.IGNORECASE)
promo_starts_ascii_lower = lazy(PROMO_STARTS)


def first_match(
    pattern: re.Pattern[str], starts: re.Pattern[str], text: str
) -> re.Match[str] | None:
    """``pattern.search(text)`` when every match of *pattern* begins where *starts*
    matches (an empty match), tried only at those places."""
    match = pattern.match
    for start in starts.finditer(text):
        found = match(text, start.start())
        if found:
            return found
    return None


# Cheap gates in front of the two classifiers: a text without any of these cannot match.
PROMO_WORDS = frozenset(
    [
        "eur",
        "euro",
        "euros",
        "usd",
        "dollar",
        "dollars",
        "gbp",
        "pound",
        "pounds",
        "quid",
        "price",
        "discount",
        "coupon",
        "promo",
        "voucher",
        "flash",
        "sale",
        "money",
        "free",
        "pre",
        "preorder",
        "buy",
        "order",
        "shop",
        "purchase",
        "subscribe",
        "upgrade",
        "book",
        "register",
        "sign",
        "signup",
        "get",
        "dm",
        "message",
        "link",
    ]
)
INVITE_WORDS = frozenset(
    ["let", "tell", "reply", "replies", "share", "your", "we", "what", "hit", "drop"]
)


# A price sells with a way to pay it beside it: a link (a bare shop address with a path,
# "example.de/kerzen", too), a mail address, a telephone number, a direct message, a
# discount ("-20 %", not a strength or a rate: "a 4.2% pale", "5,8 %", "5% ABV"), or a
# call to order, book or reserve in any of its forms and languages (bestellen, Reservierung,
# réservez, commandes, encarga, pedidos...). gen3give: a percentage is a discount only when
# it is written as one ("-20 %", "20 % off", "10 % menos", "bis zu 30 %", "20 % sur tout"):
# a rate, a share or a fall ("2,52 %", "99 % of people", "cayó un 40 %") sells nothing.
price_with = lazy(
    r"""https?://|www\.
    | (?<![\w.,])[-−–]\s?\d{1,2}\s?%  # -20 %
    | \b\d{1,2}\s?%\s?(?:off|discount|rabatt|nachlass|günstiger|billiger|reduziert|sparen
       |(?:de\ )?(?:descuento|dto|rebaja|réduction|remise|réduc|rabais|promo)|menos
       |moins\ cher|de\ moins|en\ (?:tod[oa]s?|tu|el|la|los|las)
       |sur\ (?:tout|toute|tous|toutes|le|la|les|votre|ton|ta|vos|tes)
       |auf\ (?:alles|alle|das|den|die|dein\w*|ihr\w*|euer|eure\w*)
       |on\ (?:all|every|everything|your))\b
    | \b(?:up\ to|bis\ zu|jusqu['’]à|hasta\ (?:el\ |un\ )?|save|spare|spart|sparen\ sie
       |économisez|ahorra|ahorre|ahorrá|rabatt\ von|réduction\ de|remise\ de|descuento\ del?
       |discount\ of)\s+\d{1,2}\s?%
    | \b(?:preisabschlag|preisnachlass|nachlass|rabatt|abschlag|discount|descuento|dto|remise
       |réduction|rebaja)\s*:?\s*-?\d{1,2}\s?%  # Preisabschlag 50 %, descuento: 30 %
    | \b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|shop|store|co|io|de|at|ch|fr|be|es|mx|ar
       |uk|eu|app|info)/
    | \b[\w.+-]+@[a-z0-9-]+\.[a-z]{2,}
    | (?<![\d.,])(?<!\d\ )(?:\+\d{2}|\b0)\d{1,4}(?:[\ ./-]?\d{2,4}){2,4}\b
    | \b(?:dm|inbox|link\ in\ (?:the\ |my\ |our\ )?bio|bestell\w*|buchung\w*|buchen
       |reservier(?:en|e|t|ung|ungen)?|r[ée]serv(?:ez|er|ation|ations)|command(?:e[rsz]?|ez|ons)|achet(?:ez|er)|encarg\w*
       |pedid[oa]s?|p[ií]del[oa]s?|pedí|reserva[sr]?|reservá|reservad|compr[aá][dr]?|cómpral[oa])\b
    | \b(?:a|per|each|par|pro|al|por|im|le)\s+(?:month|year|week|mois|monat|jahr|mes|año|an)\b
      (?![-‐])  # not "le week-end"
    | /\s?(?:mo|month|yr|year|mois|monat|mes|mois)\b
    | \b(?:only|just|starting\ at|prices?\ start|available|nur|dès(?=\s+\d)|à\ partir\ de
       |chacun|desde(?=\s+\d)|solo|sólo|ab(?=\s+\d)(?!\s+\d{1,2}\.))\b  # ab 9 €; not ab 1. April
    | \b(?:each|je|cada)\b(?!\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday
       |day|week|month|year|morning|evening|night|time|lunes|martes|miércoles|jueves|viernes
       |sábado|domingo|día|semana|mes|año|mañana|tarde|noche|vez)\b)  # not "cada miércoles"
    | \b(?:buy|order|shop|book|get|save|deal|offer|kaufen|bestellen|angebot|acheter|commander
       |offre|comprar|oferta|pide|compra)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

# gen2give: a price also sells beside where and how to get it (at the counter, ab Rampe, à
# l'accueil, en taquilla, in the app) or how it reaches you (delivery, collection, Abholung,
# livraison, recogida), unless the post opens as news of something new ("New on tap from
# Thursday: … £4.80 a pint in the taproom", "Du nouveau à la boutique : … 3,20 €"): product
# news that informs.
price_where = lazy(
    r"""\b(?:at|from)\ (?:the\ |our\ |either\ |both\ )?(?:counter|till|tills|front\ desk|reception
       |box\ office|door|farm\ shop|stall|kiosk|van|studio|showroom|clubhouse|office)\b
    | \b(?:enrol|enroll|ring|phone|call|ships|shipping|delivery|delivered|postage|collection
       |pick[- ]?up|pre-?book\w*)\b
    | \b(?:abholen|abholung|lieferung|versand|vorbestell\w*|vorbeikommen|ruft|ruf\ an|livraison
       |retrait|récupérer|appelez|passez|venez|précommande\w*|envío|recogida|recoger|llama
       |llámanos|pásate|encarga\w*)\b
    | \b(?:in|on)\ (?:the|our)\ app\b | \bin[-\ ]store\b
    | \b(?:come|pop|drop|swing)\ (?:by|down|in|into|over|round)\ (?:to\ )?(?:the|our)\ (?:\w+\ )?
       (?:stall|shop|store|stand|counter|farm|bakery|studio|showroom)\b
    | \b(?:an\ der|an\ unserer)\ (?:theke|kasse|bar|rezeption|abendkasse|tageskasse|tür|pforte
       |infotheke|ladentheke|fleischtheke|käsetheke)\b | \bab\ (?:rampe|hof|lager|werk)\b
    | \bim\ (?:hofladen|vereinsheim|museumsshop|hofcafé|verkaufsraum|werksverkauf|clubhaus
       |vereinslokal|onlineshop|webshop)\b | \bin\ der\ app\b | \b(?:erhältlich|zu\ haben)\b
    | \bin\ unse(?:rem|rer|ren)\ (?:laden|läden|café|cafés|shop|filiale|filialen|hofladen|app
       |bäckerei|geschäft|geschäften)\b | \bam\ (?:stand|marktstand|tresen|empfang|kiosk)\b
    | \b(?:à\ la\ caisse|en\ caisse|au\ comptoir|à\ la\ buvette|au\ stand
       |au\ guichet|à\ la\ billetterie|au\ domaine|à\ la\ cave|au\ caveau|à\ la\ ferme
       |en\ magasin|en\ boutique|à\ la\ boutique|dans\ (?:nos|notre)\ boutiques?
       |(?:dans|sur)\ l['’]appli(?:cation)?|à\ retirer|en\ vente|en\ click\ (?:and|&)\ collect)\b
    | \ben\ (?:la\ |nuestra\ |nuestro\ |el\ )?(?:tienda|taquilla|taquillas|caja|recepción
       |mostrador|obrador|puesto|bodega|cafetería|app|stand)\b | \ba\ la\ venta\b
    | \bdisponibles?\ en\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
novelty = lazy(
    r"""\W*(?:(?:our|unser\w*|notre|nos|nuestr[oa]s?)\ (?:brand\ )?
       (?:new|neue\w*|nouve\w*|nuev[oa]s?)\b
       |(?:brand\ )?new\b|just\ in\b|now\ in\b|fresh\ in\b|neu\b|neue[snr]?\b|nouveau\b
       |nouvelle\b|nouveauté|du\ nouveau\b|nuev[oa]s?\b|novedad|recién\ llegad)""",
    re.IGNORECASE | re.VERBOSE,
)
