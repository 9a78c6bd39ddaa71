"""The spaCy side of coding: an offline pipeline, matchers compiled from a codebook, unit-level decisions.

Default pipeline (no downloads): ``spacy.blank("en")`` + ``sentencizer`` + ``lemmatizer`` in lookup mode
(tables from spacy-lookups-data) + ``hls_lower_lemma``. The last applies the lemmatizer's lookup table keyed
on the lower-cased word (the table is keyed on exact text, so "Partners" would stay "Partners"), caches the
result per word and fixes a few entries that hurt coding; the lemmatizer component is therefore kept only as
the holder of the tables and disabled at run time.
"""
from __future__ import annotations

import bisect
from functools import lru_cache

from ..errors import ToolkitError
from .codebook import Code, Codebook, Rule

DEFAULT_MODEL = "blank:en"


#: lower-cased word -> lemma, fixing lookup-table entries that hurt coding ("number" -> "numb", "data" -> "datum")
LEMMA_OVERRIDES = {"number": "number", "numbers": "number", "data": "data", "datum": "data", "meeting": "meeting",
                   "meetings": "meeting", "stats": "stat", "better": "better", "worse": "worse"}


class LowerLemma:
    """Pipeline component: lower-case lemmas from the lookup table keyed on the lower-cased word.

    The lookup table is keyed on exact text ("Partners" stays "Partners") and maps some base words to another
    word's lemma ("feed" -> "fee", "number" -> "numb"); a word that is itself a lemma in the table keeps its
    form, unless it is an -ing or plural form of its table lemma ("working" -> "work"). With a trained pipeline (rule lemmatizer) the lemma is only lower-cased.
    """

    def __init__(self, nlp, name="hls_lower_lemma", lookup: bool = False):
        self.name = name
        self.cache: dict = {}
        self.table = None
        self.lemma_values: set = set()
        self._own_table = lookup  # the default pipeline: this component holds the English lookup table
        lem = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        if lem is not None and getattr(lem, "mode", "") == "lookup":
            self._lemmatizer = lem
        else:
            self._lemmatizer = None

    def _lookup(self):
        if self.table is None and self._own_table:
            self.table = english_lemma_table()  # loaded on first use, from the cache after the first run
            self.lemma_values = set(self.table.values())
        if self.table is None and self._lemmatizer is not None:
            lookups = getattr(self._lemmatizer, "lookups", None)
            if lookups is not None and lookups.has_table("lemma_lookup"):
                self.table = lookups.get_table("lemma_lookup")
                # words that are themselves some word's lemma keep their form ("feed" would become "fee")
                self.lemma_values = set(self.table.values())
        return self.table

    def table_version(self) -> str:
        """Which lemma table this component applies (part of the compiled-codebook cache key)."""
        if not self._own_table:
            return "pipeline"
        from importlib.metadata import PackageNotFoundError, version

        try:
            return "spacy-lookups-data " + version("spacy-lookups-data")
        except PackageNotFoundError:
            return "none"

    def lemma_of(self, lower: str, current: str) -> str:
        fixed = LEMMA_OVERRIDES.get(lower)
        if fixed is not None:
            return fixed
        table = self._lookup()
        if table is None:
            return current.lower()
        lemma = table.get(lower, lower).lower()
        if lemma != lower and lower in self.lemma_values and not (
                lower.endswith("ing") or lower in (lemma + "s", lemma + "es")):
            return lower
        return lemma

    def __call__(self, doc):
        cache = self.cache
        strings = doc.vocab.strings
        lookup_mode = self._lookup() is not None
        if lookup_mode and len(doc):
            # array path: no Token objects; the lemma depends only on the word
            import numpy as np
            from spacy.attrs import LEMMA, LOWER

            lowers = doc.to_array(LOWER).tolist()
            get = cache.get
            lemmas = [get(o) for o in lowers]
            for i, h in enumerate(lemmas):
                if h is None:
                    low = strings[lowers[i]]
                    h = cache[lowers[i]] = strings.add(self.lemma_of(low, low))
                    lemmas[i] = h
            doc.from_array([LEMMA], np.asarray(lemmas, dtype="uint64").reshape(-1, 1))
            return doc
        for tok in doc:
            h = tok.lemma
            key = tok.orth if lookup_mode else (tok.orth, h)
            new = cache.get(key)
            if new is None:
                new = strings.add(self.lemma_of(tok.lower_, tok.lemma_ or tok.lower_))
                cache[key] = new
            if new != h:
                tok.lemma = new
        return doc


def english_lemma_table() -> dict:
    """spacy-lookups-data's English ``lemma_lookup`` table as a dict (cached on disk per package version)."""
    from importlib.metadata import PackageNotFoundError, version

    from . import cache

    try:
        ver = version("spacy-lookups-data")
    except PackageNotFoundError:
        raise ToolkitError("the offline lemmatizer needs spacy-lookups-data (pip install spacy-lookups-data)") \
            from None

    def build():
        import gzip
        import json
        from importlib.resources import files

        try:
            raw = files("spacy_lookups_data").joinpath("data", "en_lemma_lookup.json.gz").read_bytes()
            return json.loads(gzip.decompress(raw).decode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - broken install
            raise ToolkitError(f"cannot load the English lemma table ({exc.__class__.__name__}); reinstall "
                               "spacy-lookups-data") from None

    return cache.cached("lemma-lookup-en", cache.key("spacy-lookups-data", ver, "str"), build)


def _register():
    from spacy.language import Language

    if not Language.has_factory("hls_lower_lemma"):
        Language.factory("hls_lower_lemma", default_config={"lookup": False},
                         func=lambda nlp, name, lookup: LowerLemma(nlp, name, lookup))


@lru_cache(maxsize=4)
def build_nlp(model: str | None = None):
    """The coding pipeline: ``None``/``"blank:en"`` for the offline default, or an installed spaCy pipeline.

    Never downloads anything: an unknown pipeline name raises a :class:`ToolkitError`.
    """
    import spacy

    _register()
    if model in (None, "", DEFAULT_MODEL):
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        # hls_lower_lemma applies spacy-lookups-data's English lookup table itself (keyed on the lower-cased
        # word, cached per word; the table is read on first use, from the user cache after the first run), so
        # spaCy's lookup lemmatizer, which would load every English table at start-up, is not needed
        nlp.add_pipe("hls_lower_lemma", config={"lookup": True})
        nlp.meta["hls_pipeline"] = DEFAULT_MODEL
        return nlp
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nlp = spacy.load(model, exclude=["ner"])
    except OSError:
        raise ToolkitError(f"spaCy pipeline '{model}' is not installed (nothing is downloaded; install it "
                           "yourself or use the default offline pipeline)", field="--model") from None
    if not any(p in nlp.pipe_names for p in ("sentencizer", "senter", "parser")):
        nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("hls_lower_lemma", last=True)
    return nlp


def uses_contract_sentences(nlp) -> bool:
    """True when the pipeline's sentences are exactly the sentence contract's (blank + sentencizer)."""
    return "sentencizer" in nlp.pipe_names and not any(p in nlp.pipe_names for p in ("parser", "senter"))


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:300]


# -- REGEX in token patterns -------------------------------------------------------------------------------
# spaCy's Matcher runs {"REGEX": ...} with Python's backtracking `re`, where a pattern such as (a+)+$ takes
# exponential time on a short token. We run every REGEX in RE2 instead (linear in the token's length, no
# backreferences or look-around): the predicate becomes a boolean token extension computed with RE2.

def compile_regex(pattern: str):
    """Compile a codebook REGEX with RE2 (linear time); ``ValueError`` with a readable reason if RE2 cannot run
    it (backreferences, look-around and the like need backtracking)."""
    import re2

    if not isinstance(pattern, str):
        raise ValueError(f"REGEX must be text, not {type(pattern).__name__}")
    options = re2.Options()
    options.log_errors = False  # RE2 would print its own message on stderr
    try:
        return re2.compile(pattern, options=options)
    except Exception as exc:  # noqa: BLE001 - re2.error
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"REGEX {pattern!r} cannot run in linear time ({reason}); backreferences and look-around "
                         "are not supported, so patterns cannot backtrack catastrophically: rewrite it without them"
                         ) from None


_TOKEN_TEXT = {"TEXT": "text", "ORTH": "text", "MORPH": "morph"}


def _regex_extension(attr: str, pattern: str) -> str:
    import hashlib

    from spacy.tokens import Token

    regex = compile_regex(pattern)
    name = "hls_re_" + hashlib.sha1(f"{attr}\0{pattern}".encode()).hexdigest()[:16]
    if not Token.has_extension(name):
        field = _TOKEN_TEXT.get(attr, attr.lower() + "_")
        Token.set_extension(name, getter=lambda tok: regex.search(str(getattr(tok, field))) is not None)
    return name


def linear_regex(pattern: list) -> list:
    """A token pattern whose ``REGEX`` predicates run in RE2 (see :func:`compile_regex`) instead of ``re``."""
    out = []
    for tok in pattern:
        if not isinstance(tok, dict) or "REGEX" not in str(tok):
            out.append(tok)
            continue
        tok = dict(tok)
        ext = dict(tok.get("_") or {})
        if any(isinstance(v, dict) and "REGEX" in v for v in ext.values()):
            raise ValueError("REGEX on a custom attribute ('_') is not supported")
        for key in [k for k in tok if k != "_"]:
            value = tok[key]
            if isinstance(value, dict) and "REGEX" in value:
                rest = {k: v for k, v in value.items() if k != "REGEX"}
                ext[_regex_extension(str(key).upper(), value["REGEX"])] = True
                if rest:
                    tok[key] = rest
                else:
                    del tok[key]
        tok["_"] = ext
        out.append(tok)
    return out


def pattern_problems(codebook: Codebook) -> list[ToolkitError]:
    """Invalid Matcher token patterns (bad dicts, unknown token attributes, bad operators) and REGEX predicates
    RE2 cannot run in linear time, located."""
    import spacy
    from spacy.matcher import Matcher

    vocab = spacy.blank("en").vocab
    out = []
    for code in codebook.codes:
        for where, rules in (("rules", code.rules), ("unless", code.unless)):
            for i, rule in enumerate(rules):
                if rule.kind != "patterns":
                    continue
                for j, pat in enumerate(rule.terms):
                    try:
                        Matcher(vocab, validate=True).add("x", [pat])
                        for tok in pat:
                            for value in tok.values() if isinstance(tok, dict) else ():
                                if isinstance(value, dict) and "REGEX" in value:
                                    compile_regex(value["REGEX"])
                                elif isinstance(value, dict) and any(isinstance(v, dict) and "REGEX" in v
                                                                     for v in value.values()):
                                    raise ValueError("REGEX on a custom attribute ('_') is not supported")
                    except Exception as exc:  # noqa: BLE001 - spaCy raises ValueError/MatchPatternError/...
                        out.append(ToolkitError(f"invalid token pattern: {_one_line(exc)}",
                                                file=codebook.path, line=rule.line,
                                                field=f"{code.id}.{where}[{i}].pattern[{j}]"))
    return out


class Coder:
    """Matchers compiled once from a codebook; decides which codes a unit (sentence or turn) gets.

    >>> coder = Coder(load_codebook("hls-theory"), build_nlp())          # doctest: +SKIP
    >>> sorted(coder.codes_in("We sat down with the partners and went through the numbers together."))  # doctest: +SKIP
    ['kroll.collective_data_use', 'kroll.deliberation_routines']
    """

    def __init__(self, codebook: Codebook, nlp, skip_invalid: bool = False):
        from spacy.matcher import Matcher, PhraseMatcher

        self.codebook = codebook
        self.nlp = nlp
        self.codes: list[Code] = [c for c in codebook.codes if c.codable]
        self.order = {c.id: i for i, c in enumerate(self.codes)}
        self.negators = set(codebook.negators)
        # hedges: single words, and multi-word hedges as tuples of lower-cased words ("sort of")
        self.hedges = {h for h in codebook.hedges if " " not in h}
        self.hedge_phrases = [tuple(h.split()) for h in codebook.hedges if " " in h]
        # two-word LEMMA phrases "modifier head" (social control): also found for every member of a
        # coordinated list of modifiers ("social and technical controls"); (modifier, head) -> entries
        self.coord: dict[tuple[int, int], list[int]] = {}
        self.coord_heads: set[int] = set()
        self._coord_heads_arr = None
        # entry = (code, rule, side, is_unless)
        self.entries: list[tuple[Code, Rule, int, bool]] = []
        self.by_hash: dict[int, int] = {}
        self.phrase: dict[str, PhraseMatcher] = {}
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.has_tokens = False
        # prefilter for the (slow, Python-predicate) token Matcher: a pattern can only match a doc holding one
        # word of each of its mandatory LEMMA/LOWER tokens; these "anchors" are found with fast PhraseMatchers
        self.anchor_matchers: dict[str, PhraseMatcher] = {}
        self.anchor_sets: list[frozenset] | None = []
        # compiled phrase lemmas are cached on disk per codebook content (default pipeline only), so a second
        # run builds the matchers from words + lemmas without running spaCy over ~2,000 phrases
        self._digest = self._cache_digest(codebook)
        from . import cache

        self._compiled = (cache.load("codebook", self._digest) if self._digest else None) or {}
        self._new: dict = {"phrases": {}, "lemmas": {}}
        lemma_texts: list[tuple[str, str]] = []
        for code in self.codes:
            for is_unless, rules in ((False, code.rules), (True, code.unless)):
                for rule in rules:
                    sides = rule.terms if rule.kind == "near" else [rule.terms]
                    for side, terms in enumerate(sides):
                        key = f"hls{len(self.entries)}"
                        idx = len(self.entries)
                        if rule.kind == "patterns":
                            try:
                                pats = [linear_regex(self._lemmatise_pattern(p)) for p in terms]
                                self.matcher.add(key, pats)
                            except Exception as exc:  # noqa: BLE001
                                if skip_invalid:
                                    continue
                                raise ToolkitError(f"invalid token pattern: {_one_line(exc)}", file=codebook.path,
                                                   line=rule.line, field=f"{code.id}.rules") from None
                            self.has_tokens = True
                            for pat in pats:
                                self._add_anchors(pat)
                        else:
                            pm = self.phrase.get(rule.attr)
                            if pm is None:
                                pm = self.phrase[rule.attr] = PhraseMatcher(nlp.vocab, attr=rule.attr)
                            if rule.attr == "LEMMA":
                                lemma_texts.extend((key, t) for t in terms)
                            else:
                                pm.add(key, [nlp.make_doc(t) for t in terms])
                        self.entries.append((code, rule, side, is_unless))
                        self.by_hash[nlp.vocab.strings.add(key)] = idx
        if lemma_texts:
            pm = self.phrase["LEMMA"]
            grouped: dict[str, list] = {}
            for (key, _), d in zip(lemma_texts, self._phrase_docs([t for _, t in lemma_texts])):
                grouped.setdefault(key, []).append(d)
                idx = self.by_hash[nlp.vocab.strings[key]]
                if len(d) == 2 and d[0].is_alpha and d[1].is_alpha and not self.entries[idx][3]:
                    self.coord.setdefault((d[0].lemma, d[1].lemma), []).append(idx)
                    self.coord_heads.add(d[1].lemma)
            for key, docs in grouped.items():
                pm.add(key, docs)

        if self._digest and not self._compiled:
            cache.store("codebook", self._digest, self._new)
        self._compiled = self._new = None

    def _cache_digest(self, codebook) -> str | None:
        if self.nlp.meta.get("hls_pipeline") != DEFAULT_MODEL:
            return None
        import spacy

        from . import cache

        return cache.key(codebook.content_hash(), spacy.__version__, sorted(LEMMA_OVERRIDES.items()),
                         self.nlp.get_pipe("hls_lower_lemma").table_version())

    def _phrase_docs(self, texts: list[str]) -> list:
        """Processed Docs (words + lemmas) for phrase texts, from the compiled cache when it has them all."""
        from spacy.tokens import Doc

        known = self._compiled.get("phrases", {}) if self._compiled else {}
        if known and all(t in known for t in texts):
            vocab = self.nlp.vocab
            return [Doc(vocab, words=w, spaces=sp, lemmas=lem) for w, sp, lem in (known[t] for t in texts)]
        docs = list(self.nlp.pipe(texts))
        if self._new is not None:
            for t, d in zip(texts, docs):
                self._new["phrases"][t] = ([tok.text for tok in d], [bool(tok.whitespace_) for tok in d],
                                           [tok.lemma_ for tok in d])
        return docs

    def _add_anchors(self, pattern: list[dict]) -> None:
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Doc

        if self.anchor_sets is None:
            return
        keys = []
        for tok in pattern:
            if tok.get("OP", "1") not in ("1", "+", "{1}") or len(tok) - ("OP" in tok) != 1:
                continue
            attr = next(k for k in tok if k != "OP")
            value = tok[attr]
            words = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) and \
                list(value) == ["IN"] else None
            if str(attr).upper() not in ("LEMMA", "LOWER") or not words or not all(isinstance(w, str) for w in words):
                continue
            attr = str(attr).upper()
            key = f"anchor{len(self.anchor_sets)}_{len(keys)}"
            pm = self.anchor_matchers.get(attr)
            if pm is None:
                pm = self.anchor_matchers[attr] = PhraseMatcher(self.nlp.vocab, attr=attr)
            docs = []
            for w in words:
                d = Doc(self.nlp.vocab, words=[w.lower() if attr == "LOWER" else w])
                if attr == "LEMMA":
                    d[0].lemma_ = w
                docs.append(d)
            pm.add(key, docs)
            keys.append(self.nlp.vocab.strings.add(key))
        if not keys:
            self.anchor_sets = None  # a pattern without anchors: always run the Matcher
        else:
            self.anchor_sets.append(frozenset(keys))

    def _token_patterns_possible(self, doc) -> bool:
        if self.anchor_sets is None:
            return True
        found = set()
        for pm in self.anchor_matchers.values():
            found.update(m for m, _, _ in pm(doc))
        return any(keys <= found for keys in self.anchor_sets)

    def _lemma(self, word):
        if not isinstance(word, str):
            return word
        known = self._compiled.get("lemmas", {}) if self._compiled else {}
        if word in known:
            return known[word]
        doc = self.nlp(word)
        lemma = doc[0].lemma_ if len(doc) == 1 else word.lower()
        if self._new is not None:
            self._new["lemmas"][word] = lemma
        return lemma

    def _lemmatise_pattern(self, pattern: list[dict]) -> list[dict]:
        """LEMMA values in token patterns go through the same lemmatizer, so ``{LEMMA: data}`` works."""
        out = []
        for tok in pattern:
            tok = dict(tok)
            for key in list(tok):
                if str(key).upper() != "LEMMA":
                    continue
                value = tok[key]
                if isinstance(value, str):
                    tok[key] = self._lemma(value)
                elif isinstance(value, dict):
                    tok[key] = {op: ([self._lemma(v) for v in vals] if op in ("IN", "NOT_IN") and
                                     isinstance(vals, list) else vals) for op, vals in value.items()}
            out.append(tok)
        return out

    # -- matching ---------------------------------------------------------------------------------
    def hits(self, doc) -> list[tuple[int, int, int]]:
        """(entry index, start token, end token) for every raw match in a processed Doc, sorted by start."""
        out = []
        for pm in self.phrase.values():
            out.extend((self.by_hash[m], s, e) for m, s, e in pm(doc))
        if self.has_tokens and self._token_patterns_possible(doc):
            out.extend((self.by_hash[m], s, e) for m, s, e in self.matcher(doc))
        if self.coord_heads:
            out.extend(self._coordinated(doc))
        out.sort(key=lambda h: (h[1], h[2]))
        return out

    def _coordinated(self, doc) -> list[tuple[int, int, int]]:
        """Hits for "modifier head" phrases whose modifier sits in a coordinated list before the head:
        "social and technical controls", "dynamic, experiential and compositional complexity",
        "social, or technical, control" (span = from the modifier to the head)."""
        import numpy as np
        from spacy.attrs import LEMMA

        out = []
        if len(doc) < 4:
            return out
        if self._coord_heads_arr is None:
            self._coord_heads_arr = np.fromiter(self.coord_heads, dtype="uint64")
        lemmas = doc.to_array(LEMMA)
        for i in np.flatnonzero(np.isin(lemmas[3:], self._coord_heads_arr)) + 3:  # a list needs >= 3 tokens before
            i = int(i)
            head = doc[i]
            j = i - 1
            if not doc[j].is_alpha:
                continue
            mods = [j]
            k = j - 1
            while k > 0 and len(mods) < 6:
                sep = doc[k].lower_
                if sep in (",", "and", "or", "nor", "&", "/"):
                    k2 = k - 1
                    if doc[k2].lower_ in (",",) and sep in ("and", "or", "nor"):
                        k2 -= 1  # Oxford comma: "a, b, and c"
                    if k2 >= 0 and doc[k2].is_alpha and not doc[k2].is_stop:
                        mods.append(k2)
                        k = k2 - 1
                        continue
                break
            if len(mods) < 2:
                continue
            for m in mods[1:]:
                for idx in self.coord.get((doc[m].lemma, head.lemma), ()):
                    out.append((idx, m, i + 1))
        return out

    def _negated(self, doc, start: int, unit_start: int) -> bool:
        for i in range(max(unit_start, start - 3), start):
            tok = doc[i]
            if tok.lower_ in self.negators or tok.lemma_ in self.negators:
                return True
        return False

    def _hedged(self, doc, start: int, unit_start: int) -> bool:
        lo = max(unit_start, start - 3)
        words = [doc[i].lower_ for i in range(lo, start)]
        if any(w in self.hedges for w in words):
            return True
        return any(tuple(words[i:i + len(h)]) == h for h in self.hedge_phrases for i in range(len(words)))

    def code_units(self, doc, bounds: list[tuple[int, int]]) -> list[dict[str, tuple[list[str], list[str]]]]:
        """For each unit (token range ``[start, end)`` of *doc*): ``{code: (rule ids, matched words)}``."""
        results: list[dict] = [dict() for _ in bounds]
        hits = self.hits(doc)
        if not hits or not bounds:
            return results
        starts = [b[0] for b in bounds]
        per_unit: dict[int, list] = {}
        for h in hits:
            u = bisect.bisect_right(starts, h[1]) - 1
            if u >= 0 and h[2] <= bounds[u][1]:  # the whole match inside the unit, never across two
                per_unit.setdefault(u, []).append(h)
        for u, uh in per_unit.items():
            results[u] = self._decide(doc, uh, bounds[u][0])[0]
        return results

    def code_piece(self, doc, first_token: int = 0) -> tuple[dict, set]:
        """One piece of a long unit (a turn coded in pieces): ``(found, suppressed codes)`` for :meth:`merge`.

        Matches that end before *first_token* lie wholly in the context repeated from the previous piece and
        were counted there.
        """
        hits = [h for h in self.hits(doc) if h[2] > first_token]
        return self._decide(doc, hits, 0) if hits else ({}, set())

    def merge(self, parts: list[tuple[dict, set]]) -> dict[str, tuple[list[str], list[str]]]:
        """The codes of a unit coded in pieces: every piece's codes, less those an ``unless`` rule suppressed
        in any piece."""
        if len(parts) == 1:
            return parts[0][0]
        suppressed = set().union(*(s for _, s in parts))
        out: dict[str, tuple[list, list]] = {}
        for found, _ in parts:
            for code, (rules, matched) in found.items():
                if code in suppressed:
                    continue
                r, m = out.setdefault(code, ([], []))
                r.extend(x for x in rules if x not in r)
                m.extend(x for x in matched if x not in m)
        return dict(sorted(out.items(), key=lambda kv: self.order[kv[0]]))

    def _decide(self, doc, uh: list, ustart: int) -> tuple[dict, set]:
        """Codes of one unit from its raw hits: ``unless`` rules, negation, hedging and proximity applied."""
        suppressed = {self.entries[i][0].id for i, _, _ in uh if self.entries[i][3]}
        found: dict[str, tuple[list, list]] = {}
        near: dict[int, tuple[list, list]] = {}
        for i, s, e in uh:
            code, rule, side, is_unless = self.entries[i]
            if is_unless or code.id in suppressed:
                continue
            if (rule.negation or code.negation) and self._negated(doc, s, ustart):
                continue
            if (rule.hedging or code.hedging) and self._hedged(doc, s, ustart):
                continue
            if rule.kind == "near":
                near.setdefault(id(rule), ([], []))[side].append((i, s, e))
                continue
            self._add(found, code, rule, doc[s:e].text)
        for sides in near.values():
            pair = self._pair(*sides)
            if pair:
                a, b = pair
                code, rule = self.entries[a[0]][0], self.entries[a[0]][1]
                self._add(found, code, rule, doc[a[1]:a[2]].text)
                self._add(found, code, rule, doc[b[1]:b[2]].text)
        return dict(sorted(found.items(), key=lambda kv: self.order[kv[0]])), suppressed

    def _pair(self, left: list, right: list):
        for a in left:
            rule = self.entries[a[0]][1]
            for b in right:
                if b[1] >= a[2]:
                    gap = b[1] - a[2]
                elif a[1] >= b[2] and not rule.ordered:
                    gap = a[1] - b[2]
                else:
                    continue
                if gap <= rule.window:
                    return a, b
        return None

    @staticmethod
    def _add(found: dict, code: Code, rule: Rule, words: str) -> None:
        rules, matched = found.setdefault(code.id, ([], []))
        if rule.id not in rules:
            rules.append(rule.id)
        if words not in matched:
            matched.append(words)

    def codes_in(self, text: str) -> dict[str, tuple[list[str], list[str]]]:
        """Codes suggested for *text* taken as one unit (used by ``hls codebook check`` and the tests)."""
        from .transcripts.sentences import TextView

        doc = self.nlp(TextView(text).text)
        return self.code_units(doc, [(0, len(doc))])[0]
