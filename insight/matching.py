"""Suggestions for the match and screen pages: which divisions fit a proposal, and which
earlier pilots resemble it. Text similarity is scikit-learn's TF-IDF with cosine similarity,
computed in Python, so it works the same on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from cases.models import Division, Evaluation, Outcome, Pilot, Stage

# The bound of the similarity search: at most this many earlier pilots are compared, the most
# recently closed first. TF-IDF over a few hundred proposals takes milliseconds; the city runs
# about 45 pilots a year, so the cap covers a decade and keeps the match page fast for ever.
SIMILAR_CANDIDATES = 500
SIMILAR_LIMIT = 5
# Below this cosine similarity two proposals share only common words.
SIMILAR_THRESHOLD = 0.1
# Earlier pilots of a division that a suggestion compares the proposal with.
DIVISION_HISTORY = 200

# Outcomes that count as an earlier pilot worth learning from: it ran, or was decided on.
LEARNING_OUTCOMES = [Outcome.SCALED, Outcome.CONTINUED, Outcome.ENDED, Outcome.CANCELLED]

FINNISH_STOP_WORDS = {
    "ja",
    "tai",
    "on",
    "ei",
    "se",
    "ne",
    "että",
    "kun",
    "jos",
    "mutta",
    "myös",
    "joka",
    "jotka",
    "ovat",
    "oli",
    "olla",
    "sekä",
    "kuin",
    "voi",
    "sen",
    "niiden",
    "tämä",
    "nämä",
    "sitä",
    "mitä",
    "kanssa",
    "ennen",
    "jälkeen",
    "mukaan",
    "kautta",
    "hyvin",
    "paljon",
}
SWEDISH_STOP_WORDS = {
    "och",
    "att",
    "det",
    "som",
    "en",
    "ett",
    "är",
    "för",
    "med",
    "till",
    "av",
    "på",
    "den",
    "de",
    "om",
    "inte",
    "har",
    "kan",
    "var",
    "vid",
    "från",
    "eller",
    "också",
    "så",
    "sig",
}
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | FINNISH_STOP_WORDS | SWEDISH_STOP_WORDS)

# Scores of a division suggestion.
THEME_WEIGHT = 1.0
TEXT_WEIGHT = 2.0
LOAD_PENALTY = 0.05  # per open pilot of the division


def proposal_text(pilot: Pilot) -> str:
    return " ".join([pilot.title, pilot.summary, pilot.need, pilot.solution, pilot.expected_impact])


def _vectorizer() -> TfidfVectorizer:
    # Words of three letters or more; sublinear term frequency so that a repeated word does
    # not outweigh the rest.
    return TfidfVectorizer(
        stop_words=STOP_WORDS,
        token_pattern=r"(?u)\b[^\W\d_]{3,}\b",  # noqa: S106 (a regular expression)
        sublinear_tf=True,
        lowercase=True,
    )


def _similarities(text: str, others: list[str]) -> tuple[list[float], TfidfVectorizer, object]:
    vectorizer = _vectorizer()
    try:
        matrix = vectorizer.fit_transform([text, *others])
    except ValueError:  # no word left after the stop words
        return [0.0] * len(others), vectorizer, None
    return list(cosine_similarity(matrix[0], matrix[1:])[0]), vectorizer, matrix


# -- similar pilots ----------------------------------------------------------------------------


@dataclass
class SimilarPilot:
    pilot: Pilot
    score: float
    lessons: list[tuple[str, str]] = field(default_factory=list)  # (party label, text)


def similar_pilot_candidates(user, pilot: Pilot) -> QuerySet[Pilot]:
    """Earlier pilots that ran or were decided on (closed, not rejected or withdrawn), that the
    user sees, the most recently closed first, at most SIMILAR_CANDIDATES."""
    from cases.selectors import pilots_visible_to

    return (
        pilots_visible_to(user)
        .filter(stage=Stage.CLOSED, outcome__in=LEARNING_OUTCOMES)
        .exclude(pk=pilot.pk)
        .select_related("company", "division", "theme", "scaling_decision")
        .prefetch_related(Prefetch("evaluations", queryset=Evaluation.objects.order_by("party")))
        .order_by("-closed", "-pk")[:SIMILAR_CANDIDATES]
    )


def similar_pilots(user, pilot: Pilot, *, limit: int = SIMILAR_LIMIT) -> list[SimilarPilot]:
    """The earlier pilots whose proposals resemble this one most, with their outcome and
    lessons learned; only those above SIMILAR_THRESHOLD."""
    candidates = list(similar_pilot_candidates(user, pilot))
    if not candidates:
        return []
    scores = _similarities(
        proposal_text(pilot), [proposal_text(candidate) for candidate in candidates]
    )[0]
    ranked = sorted(
        (
            (score, candidate)
            for score, candidate in zip(scores, candidates, strict=True)
            if score >= SIMILAR_THRESHOLD
        ),
        key=lambda item: (-item[0], item[1].reference),
    )[:limit]
    return [
        SimilarPilot(
            pilot=candidate,
            score=round(float(score), 2),
            lessons=[
                (str(evaluation.get_party_display()), evaluation.lessons_learned)
                for evaluation in candidate.evaluations.all()
                if evaluation.lessons_learned
            ],
        )
        for score, candidate in ranked
    ]


# -- division suggestions ----------------------------------------------------------------------


@dataclass
class DivisionSuggestion:
    division: Division
    score: float
    theme_match: bool
    shared_words: list[str]
    open_pilots: int
    reasons: list[str] = field(default_factory=list)


def _shared_words(vectorizer, matrix, row: int, limit: int = 5) -> list[str]:
    """The words both the proposal (row 0) and the division's history (row) use, the most
    distinctive first."""
    if matrix is None:
        return []
    words = vectorizer.get_feature_names_out()
    proposal = matrix[0].toarray()[0]
    history = matrix[row].toarray()[0]
    both = [
        (proposal[i] * history[i], words[i])
        for i in range(len(words))
        if proposal[i] and history[i]
    ]
    return [word for _weight, word in sorted(both, key=lambda item: (-item[0], item[1]))[:limit]]


def division_suggestions(pilot: Pilot) -> list[DivisionSuggestion]:
    """Every division ranked for this proposal: the platform theme it hosts, how much its
    earlier pilots' proposals resemble this one, and its current load (open pilots)."""
    divisions = list(
        Division.objects.prefetch_related("themes").annotate(
            open_pilots=Count(
                "pilots",
                filter=~Q(pilots__stage__in=[Stage.CLOSED, Stage.INTAKE]),
            )
        )
    )
    history: dict[int, list[str]] = {division.pk: [] for division in divisions}
    earlier = (
        Pilot.objects.filter(division__isnull=False)
        .exclude(pk=pilot.pk)
        .order_by("-created", "-pk")
        .values_list("division_id", "title", "summary", "need", "solution", "expected_impact")[
            : DIVISION_HISTORY * max(len(divisions), 1)
        ]
    )
    for division_id, *texts in earlier:
        if len(history[division_id]) < DIVISION_HISTORY:
            history[division_id].append(" ".join(texts))
    scores, vectorizer, matrix = _similarities(
        proposal_text(pilot), [" ".join(history[division.pk]) for division in divisions]
    )
    suggestions = []
    for row, (division, similarity) in enumerate(zip(divisions, scores, strict=True), start=1):
        theme_match = any(theme.pk == pilot.theme_id for theme in division.themes.all())
        shared = _shared_words(vectorizer, matrix, row) if similarity else []
        score = (
            THEME_WEIGHT * theme_match
            + TEXT_WEIGHT * float(similarity)
            - LOAD_PENALTY * division.open_pilots
        )
        suggestion = DivisionSuggestion(
            division=division,
            score=round(score, 3),
            theme_match=theme_match,
            shared_words=shared,
            open_pilots=division.open_pilots,
        )
        suggestion.reasons = _reasons(suggestion, pilot)
        suggestions.append(suggestion)
    return sorted(suggestions, key=lambda s: (-s.score, s.division.name))


def _reasons(suggestion: DivisionSuggestion, pilot: Pilot) -> list[str]:
    reasons = []
    if suggestion.theme_match:
        reasons.append(_("Hosts the theme “%(theme)s”.") % {"theme": pilot.theme.name})
    if suggestion.shared_words:
        reasons.append(
            _("Its earlier pilots also speak of: %(words)s.")
            % {"words": ", ".join(suggestion.shared_words)}
        )
    reasons.append(
        ngettext("%(count)d open pilot now.", "%(count)d open pilots now.", suggestion.open_pilots)
        % {"count": suggestion.open_pilots}
    )
    return reasons
