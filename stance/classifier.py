"""The library's front door: rules and model loaded once, articles scored."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache, partial
from pathlib import Path

import numpy as np

from .rulebook.actors import Mention, attribute, clause_bounds, subject
from .model.default import Notify, check_user_model, load_default_model
from .text.documents import Document, plain_title
from .model.features import article_context, negated_categories
from .rulebook.compiled import CompiledRules, compile_rulebook, load_compiled
from .rulebook.matcher import SignalHit
from .rulebook.patterns import SIGNALS
from .model.linear import StanceModel, load_model
from .report.article import ArticleReport, SentenceScore, build_report, sentence_score
from .resources import default_rules_dir
from .rulebook.loading import Rulebook
from .text.segment import segment
from .model.learned import learned_hits
from .text.tokens import Tokens, tokenize


class Classifier:
    """Rules plus model. Stateless once loaded, so it can score in parallel."""

    def __init__(self, rules: Rulebook | CompiledRules, model: StanceModel) -> None:
        compiled = rules if isinstance(rules, CompiledRules) else compile_rulebook(rules)
        self.rulebook = compiled.rulebook
        self.matcher = compiled.matcher
        self.actors = compiled.actors
        self._actor_names = {a.id: a.name for a in self.rulebook.actors}
        self.model = model

    @classmethod
    def load(cls, rules: str | Path | None = None, model: str | Path | None = None,
             notify: Notify | None = None) -> Classifier:
        """Load rules and model; `None` takes the shipped defaults. Compiled
        rules are cached between runs (see rulebook/compiled.py).

        `notify` receives one-line notices, such as the default model being
        rebuilt for a new scikit-learn version.
        """
        compiled = load_compiled(rules if rules is not None else default_rules_dir())
        if model is None:
            return cls(compiled, load_default_model(notify))
        user_model = load_model(model)
        check_user_model(user_model)
        return cls(compiled, user_model)

    def _score(self, spans: Sequence[tuple[int, int, str]], carry_actor: bool, articles: Sequence[Hashable],
               article: str | None = None) -> list[SentenceScore]:
        """Score sentences given as (start, end, text); `articles` names each
        sentence's article (sentences of one article give each other context,
        in the given order); `carry_actor` lets a sentence that names no actor
        inherit the last one named before it; `article`, the text the
        sentences come from, lets one pass over it find which regex rules
        can match in which sentence.

        Rules and actors run sentence by sentence; the model scores all the
        sentences at once (one numpy pass over their features)."""
        match, find_actors = self.matcher.match, self.actors.find
        regexes = self.matcher.regexes_per_sentence(article, [(s, e) for s, e, _ in spans]) \
            if article is not None else None
        all_keys: list[tuple[str, ...]] = []
        all_hits: list[tuple[SignalHit, ...]] = []
        all_negated: list[list[str]] = []
        all_actors: list[tuple[str, ...]] = []
        all_toks: list[Tokens] = []
        all_actor_of: list[Callable[[int, int], str | None] | None] = []
        running: str | None = None
        for n, (start, _, text) in enumerate(spans):
            toks = tokenize(text)
            mentions, bounds = find_actors(text, toks)
            actor_of = None
            if mentions:
                if bounds is None:
                    bounds = clause_bounds(text, toks)
                actor_of = _attribution(mentions, bounds, running)
            elif running is not None:
                actor_of = _running(running)
            result = match(text, start, toks, actor_of, regexes[n] if regexes is not None else None)
            hits = result.hits
            all_keys.append(toks.keys)
            all_hits.append(hits)
            all_negated.append(negated_categories(result) if result.suppressed else [])
            all_actors.append(tuple(dict.fromkeys([m.actor for m in mentions])) if mentions else ())
            all_toks.append(toks)
            all_actor_of.append(actor_of)
            if carry_actor and mentions:
                running = subject(mentions) or running
        categories = [frozenset([h.category for h in hits]) for hits in all_hits]
        context = article_context(categories, articles)
        scores = self.model.predict_sentences(all_keys, all_hits, all_negated, context)
        # Learned hits only where a head clears its threshold for a category
        # that no rule found or negated: a few sentences, looked at one by one.
        covered = np.array([_covered(c, tuple(n)) for c, n in zip(categories, all_negated)],
                           dtype=bool).reshape(len(spans), len(SIGNALS))  # (0, 5) for no sentences
        for i in ((scores.heads >= self.model.signal_threshold) & ~covered).any(axis=1).nonzero()[0].tolist():
            start, _, text = spans[i]
            found = learned_hits(self.model, partial(scores.ids, i), scores.heads[i].tolist(), text, start,
                                 all_toks[i], set(categories[i]), all_negated[i], all_actor_of[i])
            if found:
                all_hits[i] = (*all_hits[i], *found)
        probs = scores.probabilities.tolist()
        return [sentence_score(i, start, end, text, p, hits, actors)
                for i, ((start, end, text), p, hits, actors) in enumerate(zip(spans, probs, all_hits, all_actors))]

    def score_sentences(self, sentences: Sequence[str],
                        articles: Sequence[Hashable] | None = None) -> list[SentenceScore]:
        """Rules and model on given sentences, without segmentation; spans are within each sentence.

        Without `articles` each sentence stands alone; with it (one key per
        sentence, such as a label's document id), sentences that share a key
        are read as one article, in the given order, as `score_text` reads one.
        """
        return self._score([(0, len(s), s) for s in sentences], carry_actor=False,
                           articles=range(len(sentences)) if articles is None else articles)

    def score_text(self, text: str, title: str | None = None, source: str = "-") -> ArticleReport:
        """Segment and score an article's text."""
        spans = [(s.start, s.end, s.text) for s in segment(text)]
        scores = self._score(spans, carry_actor=True, articles=[0] * len(spans), article=text)
        return build_report(source, plain_title(text) if title is None else title, scores, self._model_name(),
                            self._actor_names)

    def score_document(self, doc: Document) -> ArticleReport:
        return self.score_text(doc.text, doc.title, doc.source)

    def _model_name(self) -> str:
        return Path(self.model.path).name if self.model.path else "in-memory"


@lru_cache(maxsize=1024)
def _covered(ruled: frozenset[str], negated: tuple[str, ...]) -> tuple[bool, ...]:
    """Per signal category (SIGNALS order), whether a rule found it or negation removed it: no learned hit there."""
    return tuple(c in ruled or c in negated for c in SIGNALS)


def _attribution(mentions: list[Mention], bounds: list[int], running: str | None) -> Callable[[int, int], str | None]:
    """The actor of a hit covering tokens [i, j) of a sentence (see actors.attribute)."""
    def actor_of(i: int, j: int) -> str | None:
        return attribute(mentions, i, j, bisect_right(bounds, i), running)
    return actor_of


def _running(actor: str) -> Callable[[int, int], str | None]:
    """With no actor named in the sentence, every hit goes to the running subject."""
    return lambda i, j: actor
