"""Aspect tags (delivery, price...) with the polarity of the clause that mentions them.

Keywords are bilingual and matched on accent-folded tokens, either exactly or, for
entries ending in "*", as a prefix ("livr*" covers livraison, livré, livreur).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress

from .models import Aspect, label_for
from .textutils import ScoredTokens, fold, normalise_score, round4


def _entries(text: str) -> tuple[str, ...]:
    """Split a comma-separated keyword list; an entry may wrap across lines."""
    return tuple(" ".join(entry.split()) for entry in text.split(",") if entry.strip())


# Comma-separated; French first, then English. "*" marks a prefix.
ASPECT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "delivery": _entries(
        """
        livr*, colis, delai*, expedi*, envoi, envois, achemin*, transporteur*, colissimo,
        chronopost, relais, facteur, retard*, arriv*, recu, recue, recus, recues, suivi,
        reception, dpd, gls, poste, jamais recu, pas recu, toujours pas recu, non recu,
        rien recu, jamais arrive, en avance, en retard, plus tot que prevu, a temps, dans
        les delais, ship*, deliver*, arriv*, late, parcel*, package, courier*, dispatch*,
        tracking, postman, ups, dhl, fedex, usps, transit, never arrived, never received,
        never showed up, on time, in time, not received, didn't arrive, hasn't arrived,
        took forever, over a month
        """
    ),
    "price": _entries(
        """
        prix, cher, chere, chers, cheres, tarif*, cout*, euro*, €, $, £, onereu*,
        abordable*, promo*, solde*, bon marche, pas cher, pas chere, du vol, exorbitant*,
        economique*, frais, price*, pricey, expensive, cheap, cost*, value, worth, money,
        overpric*, afford*, bargain*, deal, charged, overcharged, value for money, worth
        every penny, worth it, rip off, ripoff, rip-off, dollar*
        """
    ),
    "quality": _entries(
        """
        qualit*, matier*, materiau*, solide*, fragile*, robust*, cass*, defectu*, defaut*,
        fonctionn*, marche, marchent, finition*, coutur*, tissu*, durab*, abime*,
        endommag*, raye*, rayure*, plastique*, batterie*, panne*, bas de gamme, haut de
        gamme, de qualite, bien fini, bien finie, bien fait, bien faite, mal fait,
        bouloch*, decous*, dechir*, quality, material*, broke*, break*, defect*, faulty,
        sturdy, flimsy, durab*, fabric*, stitch*, works, work, working, made, build,
        built, battery, scratch*, dent*, junk, crack*, torn, ripped, leak*, well made,
        well-made, cheaply made, poorly made, fell apart, falls apart, stopped working,
        doesn't work, does not work, not working, in pieces, works like a charm, shoddy,
        malfunction*, zipper*
        """
    ),
    "customer_service": _entries(
        """
        service, sav, conseill*, vendeu*, vendeur, repon*, repond*, accueil*, contact*,
        hotline, telephon*, mail, mails, email*, interlocut*, personnel, equipe*, joindr*,
        injoignable*, aucune reponse, pas de reponse, sans reponse, ne repond pas, ne
        repond jamais, ne repondent pas, a l ecoute, geste commercial, service client,
        livreur*, support, staff, seller*, agent*, reply, replied, replies, respon*,
        answer*, phone, ticket*, helpdesk, rude, unhelpful, helpful, polite, no response,
        no reply, no answer, nobody answers, never answered, never responded, never
        replied, hung up, customer
        """
    ),
    "returns_refunds": _entries(
        """
        retour*, retourn*, rembours*, echang*, renvo*, retractation, toujours pas
        rembourse, jamais rembourse, pas rembourse, retour gratuit, retour payant, frais
        de retour, demande de remboursement, ne remboursent pas, ne rembourse pas,
        return*, refund*, exchang*, money back, rma, replacement*, no refund, won't
        refund, will not refund
        """
    ),
    "size_fit": _entries(
        """
        taille*, pointure*, serre*, ajust*, coupe, longueur*, largeur*, manche*, trop
        petit, trop petite, trop petits, trop petites, trop grand, trop grande, trop
        grands, trop grandes, trop court, trop courte, trop long, trop longue, trop large,
        trop serre, trop serree, trop juste, taille petit, taille grand, taillent petit,
        taillent grand, taille parfaitement, taille bien, taille normalement, size*,
        sizing, fit, fits, fitting, fitted, tight*, loose*, length, waist, sleeve*, too
        small, too big, too large, too tight, too short, too long, runs small, runs large,
        runs big, true to size, fits like a glove, fits perfectly
        """
    ),
    "packaging": _entries(
        """
        emball*, carton*, boite*, bulle*, protege*, protection*, sachet*, conditionn*,
        ecrin*, bien emballe, bien emballee, bien protege, bien protegee, mal emballe, mal
        protege, emballe soigneusement, packag*, packed, packing, box, boxes, wrap*,
        bubble, padding, padded
        """
    ),
}
# "package" alone is the parcel (delivery); "packaging"/"packaged" are the packaging.
# Phrases whose words would suggest a wrong aspect ("" = no aspect): "répond à mes
# attentes" is about expectations, not about the customer service answering.
_EXACT_OVERRIDES = {
    "package": "delivery",
    "packages": "delivery",
    "rapport qualite prix": "price",
    "repond a mes attentes": "",
    "correspond a mes attentes": "",
    "a la hauteur de mes attentes": "",
    "a la hauteur": "",
    "sans reponse": "customer_service",
    "ne repond pas": "customer_service",
}


def _build_tables() -> tuple[dict[str, str], dict[str, str], tuple[int, ...]]:
    exact: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for aspect, entries in ASPECT_KEYWORDS.items():
        for entry in entries:
            if entry.endswith("*"):
                prefixes.setdefault(fold(entry[:-1]), aspect)
            else:
                exact.setdefault(fold(entry), aspect)
    exact.update(_EXACT_OVERRIDES)
    lengths = tuple(sorted({len(prefix) for prefix in prefixes}, reverse=True))
    return exact, prefixes, lengths


_EXACT, _PREFIXES, _PREFIX_LENGTHS = _build_tables()
# Memo of key -> aspect ("" for none): shop vocabulary is small, so after warm-up a
# comment's tokens are mapped with one C-level pass (map over dict.get).
_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 50_000


def _lookup_word(key: str) -> str:
    aspect = _EXACT.get(key)
    if aspect is None:
        for length in _PREFIX_LENGTHS:
            if len(key) >= length:
                aspect = _PREFIXES.get(key[:length])
                if aspect is not None:
                    break
    return aspect or ""


def _lookup(key: str) -> str:
    if " " in key and key not in _EXACT:
        # A merged phrase ("service impeccable", "livraison offerte") is about what its
        # words are about; the first word that names an aspect wins.
        aspect = next(filter(None, map(_lookup_word, key.split())), "")
    else:
        aspect = _lookup_word(key)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()  # unbounded vocabularies (spam, huge inputs) must not leak memory
    _CACHE[key] = aspect
    return aspect


def aspect_of(key: str) -> str | None:
    """Aspect tagged by one (lower-cased, accent-folded) token or phrase, if any."""
    cached = _CACHE.get(key)
    return (cached if cached is not None else _lookup(key)) or None


def _aspect_hits(keys: Sequence[str]) -> list[str]:
    """Aspect name ("" for none) of every token."""
    hits = list(map(_CACHE.get, keys))
    if None in hits:
        return [
            hit if hit is not None else _lookup(key) for key, hit in zip(keys, hits, strict=True)
        ]
    return hits  # type: ignore[return-value]  # no None left


def find_aspects(tokens: ScoredTokens) -> tuple[Aspect, ...]:
    """Aspects in order of first mention, each scored on the clause(s) mentioning it.

    A clause without any sentiment word ("Price and quality are excellent" split at
    "and") borrows the score of its whole sentence. An aspect mentioned in several
    clauses gets the mean of their scores (one vote per clause, not per keyword).
    """
    hits = tokens.aspects if tokens.aspects is not None else _aspect_hits(tokens.keys)
    indexes = list(compress(range(len(hits)), hits))  # tokens naming an aspect
    if not indexes:
        return ()
    valences = tokens.valences
    span = tokens.span
    if len(indexes) == 1:  # the common case: one mention, one clause
        index = indexes[0]
        start, end = span(index, False)
        if not any(valences[start:end]):
            start, end = span(index, True)
        score = round4(normalise_score(sum(valences[start:end])))
        found = _ASPECTS.get((hits[index], score))
        return (found if found is not None else _aspect(hits[index], score),)
    scores: dict[str, dict[int, float]] = {}  # aspect -> clause start -> score
    for index in indexes:
        start, end = span(index, False)
        per_clause = scores.setdefault(hits[index], {})
        if start in per_clause:
            continue
        if not any(valences[start:end]):
            start, end = span(index, True)
        per_clause[start] = normalise_score(sum(valences[start:end]))
    result = []
    for aspect, per_clause in scores.items():
        score = round4(sum(per_clause.values()) / len(per_clause))
        found = _ASPECTS.get((aspect, score))
        if found is None:
            found = _aspect(aspect, score)
        result.append(found)
    return tuple(result)


# Aspect objects are immutable: one instance per (name, score) is shared.
_ASPECTS: dict[tuple[str, float], Aspect] = {}


def _aspect(name: str, score: float) -> Aspect:
    found = Aspect(name, score, label_for(score))
    if len(_ASPECTS) >= _CACHE_LIMIT:
        _ASPECTS.clear()
    _ASPECTS[name, score] = found
    return found
