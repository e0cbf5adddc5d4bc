"""What ties a message's author to a customer, read from the message alone (ORM-free):
the email addresses and phone numbers written in its text, and how alike two names are.

Sprout sends no email or phone with an author (``from`` holds a guid, a name and a
handle), so these are the clues a message carries; the database side (partners,
bindings) is the backend's.
"""

import functools
import re
import unicodedata
from difflib import SequenceMatcher

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# A run of digits with the usual separators, at least 9 digits long (checked below).
PHONE = re.compile(r"\+?\d[\d ().-]{7,}\d")
# Numbers are compared on their last 9 digits: a national number without its country code.
PHONE_KEY_DIGITS = 9
# Name matches a process keeps: a worker meets the same authors and contacts page after page.
REMEMBERED_MATCHES = 20_000


def emails_in(text):
    """The email addresses written in ``text``, lower-cased, in order, once each."""
    return list(dict.fromkeys(found.lower().rstrip(".") for found in EMAIL.findall(text or "")))


def phone_key(number):
    """The digits two spellings of one phone number share (``+351 912 345 678`` and
    ``912345678``), or None when it has too few digits to be a phone number."""
    digits = re.sub(r"\D", "", number or "")
    return digits[-PHONE_KEY_DIGITS:] if len(digits) >= PHONE_KEY_DIGITS else None


def phones_in(text):
    """The phone numbers written in ``text`` (emails left out), as written, in order."""
    without_emails = EMAIL.sub(" ", text or "")
    return [found.strip() for found in PHONE.findall(without_emails) if phone_key(found)]


def phone_keys_in(text):
    """The keys of the phone numbers written in ``text`` (emails left out), once each."""
    return list(dict.fromkeys(phone_key(found) for found in phones_in(text)))


@functools.lru_cache(maxsize=REMEMBERED_MATCHES)
def normalized_name(name):
    """Case, accents, punctuation and spacing removed: ``"  Joã0 da-Silva"`` reads ``"joa0 da silva"``."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


class NameIndex:
    """Candidate names made ready once to compare many names with: normalized, their words
    sorted, and difflib's index of each (a ``SequenceMatcher`` indexes its second text, the
    candidate here, and compares any first text with it). A page of messages compares a
    hundred authors with the same few hundred contacts: what depends on a contact alone is
    not redone per pair. Scores are those of :func:`name_similarity`."""

    def __init__(self):
        self._matchers = {}

    def _matchers_of(self, candidate):
        matchers = self._matchers.get(candidate)
        if matchers is None:
            variants = _variants(candidate)
            matchers = self._matchers[candidate] = tuple(
                SequenceMatcher(None, "", variant) for variant in variants
            )
        return matchers

    def similarity(self, name, candidate, at_least=0.0):
        """How alike ``name`` and ``candidate`` are (see :func:`name_similarity`)."""
        return self._similarity(_variants(name), candidate, at_least)

    def _similarity(self, variants, candidate, at_least):
        best = 0.0
        for variant, matcher in zip(variants, self._matchers_of(candidate), strict=False):
            matcher.set_seq1(variant)
            if matcher.real_quick_ratio() >= at_least and matcher.quick_ratio() >= at_least:
                best = max(best, matcher.ratio())
        return best

    def best_match(self, name, candidates, threshold):
        """``(key, score)`` of the candidate (``{key: name}``) most like ``name`` at or above
        ``threshold``, or None; of equal scores the first one wins."""
        variants = _variants(name)
        best = None
        for key, candidate in candidates.items():
            # Only a better score than the best so far can win: the cheap bounds skip the rest.
            at_least = best[1] if best else threshold
            score = self._similarity(variants, candidate, at_least)
            if score >= at_least and (best is None or score > best[1]):
                best = (key, score)
                if score == 1.0:
                    break  # nothing scores higher, and the first of equals wins
        return best


@functools.lru_cache(maxsize=REMEMBERED_MATCHES)
def _variants(name):
    """A name as compared: normalized, and with its words sorted (so that the order of the
    words does not count); nothing when no letter is left."""
    plain = normalized_name(name)
    return (plain, " ".join(sorted(plain.split()))) if plain else ()


def name_similarity(first, second, at_least=0.0):
    """How alike two person names are, from 0 to 1, whatever the order of their words; 0 when
    it is surely below ``at_least`` (difflib's cheap upper bounds say so before the ratio)."""
    return NameIndex().similarity(first, second, at_least)


def best_name_match(name, candidates, threshold):
    """``(key, score)`` of the candidate (``{key: name}``) most like ``name`` at or above
    ``threshold``, or None; of equal scores the first one wins."""
    return NameIndex().best_match(name, candidates, threshold)


@functools.lru_cache(maxsize=REMEMBERED_MATCHES)
def remembered_best_match(name, candidates, threshold):
    """:func:`best_name_match` of ``candidates`` given as a tuple of ``(key, name)``, kept
    for the next time the same name meets the same candidates (it depends on nothing else)."""
    return NameIndex().best_match(name, dict(candidates), threshold)


def name_words(name, shortest=3):
    """The words of a name long enough to look candidates up by."""
    return [word for word in normalized_name(name).split() if len(word) >= shortest]
