"""The library's front door: rules and model loaded once, articles scored."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .actors import ActorMatcher, Mention, attribute, clause_ids, subject
from .default_model import Notify, check_user_model, load_default_model
from .documents import Document, plain_title
from .features import article_context, negated_categories
from .matcher import Matcher, SignalHit
from .model import StanceModel, load_model
from .report import ArticleReport, SentenceScore, build_report, sentence_score
from .resources import default_rules_dir
from .rulebook import Rulebook, load_rulebook
from .segment import segment
from .learned import learned_hits
from .tokens import Tokens, tokenize


@dataclass(frozen=True, slots=True)
class _Read:
    """What the rules and actor look-up found in one sentence, before the model."""

    start: int
    text: str
    toks: Tokens
    hits: tuple[SignalHit, ...]
    negated: tuple[str, ...]
    mentions: list[Mention]
    running: str | None


class Classifier:
    """Rules plus model. Stateless once loaded, so it can score in parallel."""

    def __init__(self, rulebook: Rulebook, model: StanceModel) -> None:
        self.rulebook = rulebook
        self.matcher = Matcher(rulebook)
        self.actors = ActorMatcher(rulebook.actors)
        self._actor_names = {a.id: a.name for a in rulebook.actors}
        self.model = model

    @classmethod
    def load(cls, rules: str | Path | None = None, model: str | Path | None = None,
             notify: Notify | None = None) -> Classifier:
        """Load rules and model; `None` takes the shipped defaults.

        `notify` receives one-line notices, such as the default model being
        rebuilt for a new scikit-learn version.
        """
        rulebook = load_rulebook(rules if rules is not None else default_rules_dir())
        if model is None:
            return cls(rulebook, load_default_model(notify))
        user_model = load_model(model)
        check_user_model(user_model)
        return cls(rulebook, user_model)

    def _score(self, spans: Sequence[tuple[int, int, str]], carry_actor: bool,
               articles: Sequence[Hashable]) -> list[SentenceScore]:
        """Score sentences given as (start, end, text); `articles` names each
        sentence's article (sentences of one article give each other context,
        in the given order); `carry_actor` lets a sentence that names no actor
        inherit the last one named before it."""
        read: list[_Read] = []
        running: str | None = None
        for start, _, text in spans:
            toks = tokenize(text)
            result = self.matcher.match(text, start, toks)
            mentions = self.actors.mentions(text, toks)
            read.append(_Read(start, text, toks, result.hits, tuple(negated_categories(result)), mentions, running))
            if carry_actor:
                running = subject(mentions) or running
        context = article_context([frozenset(h.category for h in r.hits) for r in read], articles)
        rows = [self.model.feature_ids(r.toks.keys, r.hits, r.negated, ctx) for r, ctx in zip(read, context)]
        probs = self.model.predict_proba(rows).tolist()
        heads = self.model.signal_proba(rows).tolist()
        scores = []
        for i, ((start, end, text), r) in enumerate(zip(spans, read)):
            found = learned_hits(self.model, rows[i], heads[i], text, start, r.toks,
                                 {h.category for h in r.hits}, r.negated)
            hits = self._attribute((*r.hits, *found), r)
            scores.append(sentence_score(i, start, end, text, probs[i], hits,
                                         tuple(dict.fromkeys(m.actor for m in r.mentions))))
        return scores

    @staticmethod
    def _attribute(hits: tuple[SignalHit, ...], r: _Read) -> tuple[SignalHit, ...]:
        """Each hit with the actor it is most plausibly about (see actors.py)."""
        if not hits or not (r.mentions or r.running):
            return hits
        clauses = clause_ids(r.text, r.toks)
        attributed = []
        for h in hits:
            i, j = r.toks.span(h.start - r.start, h.end - r.start)
            attributed.append(replace(h, actor=attribute(r.mentions, i, j, clauses[i], r.running)))
        return tuple(attributed)

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
        scores = self._score(spans, carry_actor=True, articles=[0] * len(spans))
        return build_report(source, plain_title(text) if title is None else title, scores, self._model_name(),
                            self._actor_names)

    def score_document(self, doc: Document) -> ArticleReport:
        return self.score_text(doc.text, doc.title, doc.source)

    def _model_name(self) -> str:
        return Path(self.model.path).name if self.model.path else "in-memory"
