"""Designated provider agreements (定点医药机构协议管理) as dated records, and the check that
refuses a claim from a provider without an agreement in force on the claim's date.

The rules follow NHSA Order No. 2 (医疗机构医疗保障定点管理暂行办法, in force 2021-02-01) and
Order No. 3 for retail pharmacies (policy-facts-2.md §6):

* an agreement (医保协议) is signed for a term and a scope of services; outside its term or
  scope the provider is not designated for the claim;
* suspension (中止, Art. 42): performance paused, **costs in the period are not settled**;
  a voluntary suspension ends the agreement automatically after **180 days** unless resumed;
* termination (解除, Art. 43) is mandatory after **two suspensions in one term**;
* annual assessment (local practice, m.274949.com [T]): a score below **60** cancels the
  designation, **60 to under 65** suspends it for **6 months**.

An :class:`AgreementBook` is an ordered tuple of :class:`AgreementEvent` rows (sign, suspend,
suspend_voluntary, resume, terminate, assess); :func:`standing` replays a provider's rows up
to a day and says whether the provider is active there, and why not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from yibao.errors import InputError
from yibao.types import VisitType

VOLUNTARY_SUSPENSION_DAYS: Final = 180  # Order No. 2 Art. 42: at most 180 days, then it ends
SUSPENSIONS_FOR_TERMINATION: Final = 2  # Order No. 2 Art. 43: ≥2 suspensions in one term
ASSESS_CANCEL_BELOW: Final = Decimal(60)  # local practice [T]: <60 points → cancelled
ASSESS_SUSPEND_BELOW: Final = Decimal(65)  # local practice [T]: 60–65 → suspended 6 months
ASSESS_SUSPEND_MONTHS: Final = 6


class Event(StrEnum):
    """What an agreement row records."""

    SIGN = "sign"  # 签订: a new term from ``day`` to ``until``
    SUSPEND = "suspend"  # 中止 by the agency (breach), until resumed or ``until``
    SUSPEND_VOLUNTARY = "suspend_voluntary"  # 中止 at the provider's request (≤180 days)
    RESUME = "resume"  # 恢复
    TERMINATE = "terminate"  # 解除
    ASSESS = "assess"  # 年度考核: ``score`` applies the assessment thresholds


class Status(StrEnum):
    """A provider's standing on a day."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    EXPIRED = "expired"  # the term ended without renewal (Art. 41: it lapses)
    NONE = "none"  # never signed


@dataclass(frozen=True, slots=True)
class AgreementEvent:
    """One dated agreement record of a provider (where = the row, for errors)."""

    provider_id: str
    event: Event
    day: date
    until: date | None = None
    scope: frozenset[VisitType] | None = None  # sign: services covered; None = all
    reason: str = ""
    document: str = ""  # the agreement or decision document (协议文书)
    score: Decimal | None = None  # assess: the annual assessment score
    where: str = ""


@dataclass(frozen=True, slots=True)
class Standing:
    """A provider's agreement standing on a day, with the reason when not active."""

    provider_id: str
    day: date
    status: Status
    since: date | None
    term: tuple[date, date] | None
    scope: frozenset[VisitType] | None
    reason: str
    document: str = ""

    def covers(self, visit: VisitType) -> bool:
        """Active on the day and the visit type is within the agreement's scope."""
        return self.status is Status.ACTIVE and (self.scope is None or visit in self.scope)

    def text(self) -> str:
        """One line: the status, since when, the term and the reason."""
        if self.status is Status.NONE:
            return f"provider {self.provider_id} has no agreement signed"
        term = f", term {self.term[0]}..{self.term[1]}" if self.term else ""
        since = f" since {self.since}" if self.since else ""
        why = f" ({self.reason})" if self.reason else ""
        return f"agreement of provider {self.provider_id} {self.status}{since}{term}{why}"


@dataclass(frozen=True, slots=True)
class AgreementBook:
    """All agreement records, in the order given (a day's rows apply in that order)."""

    events: tuple[AgreementEvent, ...] = ()

    def of(self, provider_id: str) -> tuple[AgreementEvent, ...]:
        """The provider's records sorted by day (stable: same-day rows keep their order)."""
        return tuple(
            sorted((e for e in self.events if e.provider_id == provider_id), key=lambda e: e.day)
        )

    def providers(self) -> tuple[str, ...]:
        return tuple(sorted({e.provider_id for e in self.events}))

    def with_event(self, event: AgreementEvent) -> AgreementBook:
        """This book with ``event`` appended, after checking it fits the provider's history."""
        check_event(self, event)
        return AgreementBook((*self.events, event))


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class _State:
    status: Status = Status.NONE
    since: date | None = None
    term: tuple[date, date] | None = None
    scope: frozenset[VisitType] | None = None
    reason: str = "no agreement signed"
    document: str = ""
    suspensions: int = 0  # in the current term
    resume_on: date | None = None  # a timed suspension ends (resumes) on this day
    end_on: date | None = None  # a voluntary suspension ends the agreement on this day


def _timed(s: _State, day: date) -> _State:
    """Apply what time alone does up to ``day``: timed resumption, 180-day end, term end."""
    if s.status is Status.SUSPENDED and s.end_on is not None and day >= s.end_on:
        s = replace(
            s,
            status=Status.TERMINATED,
            since=s.end_on,
            reason=f"voluntary suspension over {VOLUNTARY_SUSPENSION_DAYS} days ends the "
            "agreement (Order No. 2 Art. 42)",
            end_on=None,
        )
    if s.status is Status.SUSPENDED and s.resume_on is not None and day >= s.resume_on:
        s = replace(s, status=Status.ACTIVE, since=s.resume_on, reason="", resume_on=None)
    if s.term is not None and s.status in (Status.ACTIVE, Status.SUSPENDED) and day > s.term[1]:
        s = replace(
            s,
            status=Status.EXPIRED,
            since=s.term[1] + timedelta(days=1),
            reason="the term ended without renewal (Order No. 2 Art. 41)",
        )
    return s


def _suspend(s: _State, e: AgreementEvent, voluntary: bool) -> _State:
    count = s.suspensions + 1
    if count >= SUSPENSIONS_FOR_TERMINATION:
        return replace(
            s,
            status=Status.TERMINATED,
            since=e.day,
            reason=f"{count} suspensions in one term: termination is mandatory "
            f"(Order No. 2 Art. 43); last: {e.reason or 'no reason given'}",
            document=e.document,
            suspensions=count,
        )
    end: date | None = None
    if voluntary:
        end = e.day + timedelta(days=VOLUNTARY_SUSPENSION_DAYS)
        if e.until is not None and e.until < end:
            end = None  # resumed before the 180 days run out
    kind = "voluntary suspension" if voluntary else "suspension"
    return replace(
        s,
        status=Status.SUSPENDED,
        since=e.day,
        reason=f"{kind}: {e.reason or 'no reason given'}; costs in the period are not "
        "settled (Order No. 2 Art. 42)",
        document=e.document,
        suspensions=count,
        resume_on=e.until,
        end_on=end,
    )


def _assess(s: _State, e: AgreementEvent) -> _State:
    assert e.score is not None
    if e.score < ASSESS_CANCEL_BELOW:
        return replace(
            s,
            status=Status.TERMINATED,
            since=e.day,
            reason=f"annual assessment {e.score} points < {ASSESS_CANCEL_BELOW}: designation "
            "cancelled (local assessment rule)",
            document=e.document,
        )
    if e.score < ASSESS_SUSPEND_BELOW:
        until = _add_months(e.day, ASSESS_SUSPEND_MONTHS)
        return _suspend(
            s,
            replace(
                e,
                until=until,
                reason=f"annual assessment {e.score} points < {ASSESS_SUSPEND_BELOW}: "
                f"suspended {ASSESS_SUSPEND_MONTHS} months (local assessment rule)",
            ),
            voluntary=False,
        )
    return s


def _apply(s: _State, e: AgreementEvent) -> _State:
    if e.event is Event.SIGN:
        assert e.until is not None
        return _State(Status.ACTIVE, e.day, (e.day, e.until), e.scope, "", e.document)
    if s.status in (Status.NONE, Status.TERMINATED, Status.EXPIRED):
        return s  # check_event refuses these; a book built by hand just ignores them
    if e.event is Event.SUSPEND:
        return _suspend(s, e, voluntary=False)
    if e.event is Event.SUSPEND_VOLUNTARY:
        return _suspend(s, e, voluntary=True)
    if e.event is Event.RESUME:
        return replace(s, status=Status.ACTIVE, since=e.day, reason="", resume_on=None, end_on=None)
    if e.event is Event.TERMINATE:
        return replace(
            s,
            status=Status.TERMINATED,
            since=e.day,
            reason=f"terminated: {e.reason} (Order No. 2 Art. 43)",
            document=e.document,
        )
    return _assess(s, e)


def standing(book: AgreementBook, provider_id: str, day: date) -> Standing:
    """The provider's agreement standing on ``day``: its rows up to that day, replayed."""
    s = _State()
    for e in book.of(provider_id):
        if e.day > day:
            break
        s = _apply(_timed(s, e.day), e)
    s = _timed(s, day)
    return Standing(provider_id, day, s.status, s.since, s.term, s.scope, s.reason, s.document)


class ClaimRefused(InputError):
    """A claim the fund does not settle (不予结算), with the one-line reason."""


def agreement_check(book: AgreementBook, provider_id: str, visit: VisitType, day: date) -> str:
    """The trace text when the provider may be paid for ``visit`` on ``day``; else
    :class:`ClaimRefused` naming the provider, the day and the reason."""
    st = standing(book, provider_id, day)
    if st.covers(visit):
        assert st.term is not None
        doc = f", document {st.document}" if st.document else ""
        scope = "all services" if st.scope is None else "|".join(sorted(st.scope))
        return (
            f"provider {provider_id} holds an active agreement on {day} "
            f"(term {st.term[0]}..{st.term[1]}, scope {scope}{doc})"
        )
    if st.status is Status.ACTIVE:
        assert st.scope is not None
        raise ClaimRefused(
            f"refused (不予结算): {visit.value} is outside the agreement scope "
            f"{'|'.join(sorted(st.scope))} of provider {provider_id} on {day}"
        )
    what = st.text() if st.status is Status.NONE else f"the {st.text()}"
    raise ClaimRefused(f"refused (不予结算): on {day} {what}")


def check_event(book: AgreementBook, e: AgreementEvent) -> None:
    """One-line error naming the row when ``e`` cannot follow the provider's history."""
    at = e.where or f"provider {e.provider_id} {e.event} {e.day}"
    if e.event is Event.SIGN:
        later = [x for x in book.of(e.provider_id) if x.day > e.day]
        if later:
            raise InputError(f"{at}: rows of provider {e.provider_id} must be in date order")
        if e.until is None or e.until < e.day:
            raise InputError(f"{at}: a signing needs 'until' on or after its day {e.day}")
        return
    if e.event is Event.ASSESS and e.score is None:
        raise InputError(f"{at}: an assessment needs a 'score'")
    if e.event is Event.TERMINATE and not e.reason:
        raise InputError(f"{at}: a termination needs its 'reason' (Order No. 2 Art. 43)")
    if e.until is not None and e.until <= e.day:
        raise InputError(f"{at}: 'until' {e.until} must be after the day {e.day}")
    later = [x for x in book.of(e.provider_id) if x.day > e.day]
    if later:
        raise InputError(
            f"{at}: rows of provider {e.provider_id} must be in date order; "
            f"a row of {later[0].day} comes before it"
        )
    st = standing(book, e.provider_id, e.day)
    if st.status in (Status.NONE, Status.TERMINATED, Status.EXPIRED):
        what = st.text() if st.status is Status.NONE else f"the {st.text()}"
        raise InputError(f"{at}: cannot {e.event} on {e.day}: {what}")
    if e.event is Event.RESUME and st.status is not Status.SUSPENDED:
        raise InputError(f"{at}: cannot resume on {e.day}: the agreement is {st.status}")
    if e.event in (Event.SUSPEND, Event.SUSPEND_VOLUNTARY) and st.status is Status.SUSPENDED:
        raise InputError(f"{at}: cannot suspend on {e.day}: already suspended since {st.since}")


def build_book(events: Iterable[AgreementEvent]) -> AgreementBook:
    """A book from rows in order, each checked against the rows before it."""
    book = AgreementBook()
    for e in events:
        book = book.with_event(e)
    return book


COLUMNS: Final = ("provider_id", "event", "day", "until", "scope", "reason", "document", "score")
"""The columns of an agreements CSV file, one row per :class:`AgreementEvent`."""


def _day(cell: str, at: str, column: str) -> date:
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise InputError(
            f"{at}, column {column!r}, value {cell!r}: not a date YYYY-MM-DD"
        ) from None


def read_event(cells: dict[str, str], at: str) -> AgreementEvent:
    """One agreement row from its cells; errors name ``at`` (file and row) and the column."""
    provider = cells.get("provider_id", "").strip()
    if not provider:
        raise InputError(f"{at}, column 'provider_id': must not be empty")
    raw_event = cells.get("event", "").strip()
    try:
        event = Event(raw_event)
    except ValueError:
        allowed = "|".join(e.value for e in Event)
        raise InputError(f"{at}, column 'event', value {raw_event!r}: one of {allowed}") from None
    day = _day(cells.get("day", "").strip(), at, "day")
    until_cell = cells.get("until", "").strip()
    until = _day(until_cell, at, "until") if until_cell else None
    scope_cell = cells.get("scope", "").strip()
    scope: frozenset[VisitType] | None = None
    if scope_cell:
        try:
            scope = frozenset(VisitType(v.strip()) for v in scope_cell.split("|"))
        except ValueError:
            allowed = "|".join(v.value for v in VisitType)
            raise InputError(
                f"{at}, column 'scope', value {scope_cell!r}: visit types from {allowed}, "
                "separated by '|'"
            ) from None
    score_cell = cells.get("score", "").strip()
    score: Decimal | None = None
    if score_cell:
        try:
            score = Decimal(score_cell)
        except ArithmeticError:
            raise InputError(f"{at}, column 'score', value {score_cell!r}: not a number") from None
        if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
            raise InputError(f"{at}, column 'score', value {score_cell!r}: 0 to 100 points")
    return AgreementEvent(
        provider,
        event,
        day,
        until,
        scope,
        cells.get("reason", "").strip(),
        cells.get("document", "").strip(),
        score,
        at,
    )


def event_cells(e: AgreementEvent) -> dict[str, str]:
    """The CSV cells of a row (the inverse of :func:`read_event`)."""
    return {
        "provider_id": e.provider_id,
        "event": e.event.value,
        "day": e.day.isoformat(),
        "until": e.until.isoformat() if e.until else "",
        "scope": "|".join(sorted(e.scope)) if e.scope is not None else "",
        "reason": e.reason,
        "document": e.document,
        "score": str(e.score) if e.score is not None else "",
    }


def parse_agreements(text: str, source: str) -> AgreementBook:
    """The agreement book of a CSV text; one-line errors name ``source``, the row and column."""
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in ("provider_id", "event", "day") if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        raise InputError(
            f"{source}: header must have columns {', '.join(COLUMNS)} "
            f"(missing {missing or 'none'}, unknown {unknown or 'none'})"
        )
    book = AgreementBook()
    for row in reader:
        at = f"{source}: row {reader.line_num}"
        book = book.with_event(read_event({k: v or "" for k, v in row.items() if k}, at))
    return book
