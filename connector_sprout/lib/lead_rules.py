"""Which inbox messages become CRM leads, and which are urgent (ORM-free).

A rule names what a message must be (its languages, post types, profiles: empty means
any) and what it must say (one of its keywords, or its pattern); keywords are whole
words or phrases, compared without case or accents. The first rule a message meets
(rules in their order) decides its lead's sales team; a message is urgent when it holds
one of that rule's urgent keywords.
"""

import re
import unicodedata
from dataclasses import dataclass, field


def _plain(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def split_words(text):
    """The comma- or newline-separated entries of a rule's list field, trimmed, once each."""
    return list(dict.fromkeys(entry.strip() for entry in re.split(r"[,\n]", text or "") if entry.strip()))


def compile_pattern(pattern):
    """The rule's regular expression, case-insensitive; ``re.error`` says what is wrong with it."""
    return re.compile(pattern, re.IGNORECASE) if pattern and pattern.strip() else None


def says_any(text, keywords):
    """The first of ``keywords`` written in ``text`` as a whole word or phrase, or None."""
    plain = _plain(text)
    for keyword in keywords:
        wanted = _plain(keyword)
        if wanted and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", plain):
            return keyword
    return None


@dataclass(frozen=True)
class LeadRule:
    """A rule as plain values: ``key`` is what the caller knows it by (its record id)."""

    key: object
    keywords: tuple = ()
    pattern: str = ""
    languages: frozenset = field(default_factory=frozenset)
    post_types: frozenset = field(default_factory=frozenset)
    profiles: frozenset = field(default_factory=frozenset)
    urgent_keywords: tuple = ()

    def applies_to(self, message):
        """Whether ``message`` (``language``, ``post_type``, ``profile``, ``text``) meets the rule."""
        if self.languages and (message.get("language") or "").lower() not in self.languages:
            return False
        if self.post_types and (message.get("post_type") or "").upper() not in self.post_types:
            return False
        if self.profiles and message.get("profile") not in self.profiles:
            return False
        if not self.keywords and not self.pattern:
            return True  # a rule on the kind of message alone: every direct message, say
        text = message.get("text") or ""
        if self.keywords and says_any(text, self.keywords):
            return True
        expression = compile_pattern(self.pattern)
        return bool(expression and expression.search(text))

    def is_urgent(self, message):
        return bool(says_any(message.get("text"), self.urgent_keywords))


def lead_rule(key, *, keywords="", pattern="", languages="", post_types="", profiles=(), urgent_keywords=""):
    """A :class:`LeadRule` from a rule record's fields (lists written one per comma or line)."""
    return LeadRule(
        key=key,
        keywords=tuple(split_words(keywords)),
        pattern=pattern or "",
        languages=frozenset(language.lower() for language in split_words(languages)),
        post_types=frozenset(post_type.upper() for post_type in split_words(post_types)),
        profiles=frozenset(profiles),
        urgent_keywords=tuple(split_words(urgent_keywords)),
    )


def first_rule(rules, message):
    """The first of ``rules`` that ``message`` meets, or None."""
    return next((rule for rule in rules if rule.applies_to(message)), None)


def conversation_key(network, author_guid, conversation):
    """What one lead stands for: an author in one conversation (a Sprout case, else the
    profile the author wrote to), per network."""
    return f"{(network or '').lower()}:{author_guid}:{conversation}"
