"""The per-article report: sentence scores, stance index and posture, and
its renderings (text, rich, JSON, Markdown, HTML). Above `model`."""

from .article import ActorSummary, ArticleReport, Evidence, SentenceScore

__all__ = ["ActorSummary", "ArticleReport", "Evidence", "SentenceScore"]
