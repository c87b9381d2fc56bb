"""The library's front door: rules and model loaded once, articles scored."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .documents import Document, plain_title
from .matcher import Matcher
from .model import StanceModel, load_model
from .report import ArticleReport, SentenceScore, build_report, sentence_score
from .resources import default_model_path, default_rules_dir
from .rulebook import Rulebook, load_rulebook
from .segment import segment
from .tokens import tokenize


class Classifier:
    """Rules plus model. Stateless once loaded, so it can score in parallel."""

    def __init__(self, rulebook: Rulebook, model: StanceModel) -> None:
        self.rulebook = rulebook
        self.matcher = Matcher(rulebook)
        self.model = model

    @classmethod
    def load(cls, rules: str | Path | None = None, model: str | Path | None = None) -> Classifier:
        """Load rules and model; `None` takes the shipped defaults."""
        rulebook = load_rulebook(rules if rules is not None else default_rules_dir())
        return cls(rulebook, load_model(model if model is not None else default_model_path()))

    def _score(self, spans: Sequence[tuple[int, int, str]]) -> list[SentenceScore]:
        results = [self.matcher.match(text, start) for start, _, text in spans]
        rows = [self.model.feature_ids(tokenize(text).words, r.hits) for (_, _, text), r in zip(spans, results)]
        probs = self.model.predict_proba(rows)
        return [sentence_score(i, start, end, text, probs[i], r.hits)
                for i, ((start, end, text), r) in enumerate(zip(spans, results))]

    def score_sentences(self, sentences: Sequence[str]) -> list[SentenceScore]:
        """Rules and model on given sentences, without segmentation; spans are within each sentence."""
        return self._score([(0, len(s), s) for s in sentences])

    def score_text(self, text: str, title: str | None = None, source: str = "-") -> ArticleReport:
        """Segment and score an article's text."""
        spans = [(s.start, s.end, s.text) for s in segment(text)]
        return build_report(source, plain_title(text) if title is None else title, self._score(spans), self._model_name())

    def score_document(self, doc: Document) -> ArticleReport:
        return self.score_text(doc.text, doc.title, doc.source)

    def _model_name(self) -> str:
        return Path(self.model.path).name if self.model.path else "in-memory"
