"""The pages the simulated users visit, found in the app's URL map, and the write check.

Staff users open their caseload, a citizen's profile, and the follow-up form, which they fill
in and submit; report readers open the region's effect report. Pages whose endpoint the app
does not have are listed as missing rather than guessed.
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, url_for
from sqlalchemy import text
from sqlmodel import col, select

from bench.data import staff_usernames
from bench.forms import post_form
from bench.load import Action, Sample, UserClient, UserPlan
from bench.sizes import Size
from del_tool.auth.models import User, UserUnit
from del_tool.citizens.models import Stay
from del_tool.db import Database
from del_tool.demo.generator import COUNCIL_MUNICIPALITY
from del_tool.modelbase import LOCAL_TIMEZONE

#: Shares of the simulated users who read reports (leaders and analysts, in turn) and who are
#: councils reading their summary, rather than doing staff work: of 20 users, 4 and 2.
REPORT_READER_SHARE = 0.2
COUNCIL_SHARE = 0.1
#: Periods the readers choose among, and the published quarters councils open.
REPORT_PERIODS = ("2025", "2025H2", "2025Q4")
COUNCIL_PERIODS = ("2025Q3", "2025Q4")
#: Pauses between actions (s): staff click on quickly (compressed, to make load); a report is
#: read for a while before the next one is asked for.
STAFF_THINK = (0.5, 2.5)
READER_THINK = (5.0, 15.0)
_LETTERS = str.maketrans("0123456789", "ghijklmnop")
#: Every follow-up a run submits carries a unique note starting with "bench-<run id>-".
MARKER = "bench-"
_PLACEHOLDER = 987654321


@dataclass
class PagePlan:
    """Page actions per kind of user, the URLs they need, and the follow-ups they submitted."""

    app: Flask
    staff: list[str]
    staff_actions: list[tuple[Action, float]] = field(default_factory=list)
    reader_actions: list[tuple[Action, float]] = field(default_factory=list)
    council_actions: list[tuple[Action, float]] = field(default_factory=list)
    reader_logins: tuple[str, ...] = ("leader", "analyst")
    council_login: str = "council"
    urls: dict[str, str] = field(default_factory=dict)
    report_urls: dict[str, list[str]] = field(default_factory=dict)
    council_urls: list[str] = field(default_factory=list)
    citizens: dict[str, list[tuple[int, date]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8].translate(_LETTERS))
    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def has_pages(self) -> bool:
        """Whether any page besides the floor can be measured."""
        return bool(self.staff_actions or self.reader_actions)

    def url(self, name: str, **ids: int) -> str:
        """The URL of page `name` with the ids filled in."""
        path = self.urls[name]
        for value in ids.values():
            path = path.replace(str(_PLACEHOLDER), str(value), 1)
        return path

    def user_plans(self, users: list[UserClient], *, quick: bool = False) -> list[UserPlan]:
        """Pair each logged-in user with the actions and think time of their kind."""
        staff = set(self.staff)
        scale = 0.2 if quick else 1.0
        return [
            (user, self.staff_actions, _scaled(STAFF_THINK, scale))
            if user.username in staff
            else (user, self.council_actions, _scaled(READER_THINK, scale))
            if user.username == self.council_login
            else (user, self.reader_actions, _scaled(READER_THINK, scale))
            for user in users
        ]

    def logins(self, count: int) -> list[str]:
        """Usernames for `count` users: report readers first (when there is a report page)."""
        readers = round(count * REPORT_READER_SHARE) if self.reader_actions else 0
        councils = round(count * COUNCIL_SHARE) if self.council_actions else 0
        if not self.staff_actions:
            readers = count - councils
        staff = self.staff
        return (
            [self.reader_logins[i % len(self.reader_logins)] for i in range(readers)]
            + [self.council_login] * councils
            + [staff[i % len(staff)] for i in range(count - readers - councils)]
        )

    @property
    def marker(self) -> str:
        """The prefix of this run's follow-up notes."""
        return f"{MARKER}{self.run_id}-"

    def count_writes(self, database: Database) -> dict[str, int]:
        """Follow-ups stored in total and with the benchmark's marker."""
        with database.engine.connect() as conn:
            total = conn.execute(text("SELECT COUNT(*) FROM follow_ups")).scalar_one()
            marked = conn.execute(
                text("SELECT COUNT(*) FROM follow_ups WHERE note LIKE :m"), {"m": self.marker + "%"}
            ).scalar_one()
        return {"follow_ups": int(total), "marked": int(marked)}

    def check_writes(self, database: Database, before: dict[str, int]) -> dict[str, Any]:
        """Compare what the server accepted with what is stored: lost and doubled follow-ups."""
        after = self.count_writes(database)
        with database.engine.connect() as conn:
            notes = Counter(
                row[0]
                for row in conn.execute(
                    text("SELECT note FROM follow_ups WHERE note LIKE :m"), {"m": self.marker + "%"}
                )
            )
        accepted = set(self.accepted)
        return {
            "submitted": len(self.accepted) + len(self.refused),
            "accepted": len(self.accepted),
            "refused": len(self.refused),
            "refusals": dict(self.refusals),
            "stored_before": before["follow_ups"],
            "stored_after": after["follow_ups"],
            "stored_new": after["follow_ups"] - before["follow_ups"],
            "lost": sum(1 for marker in accepted if notes[marker] == 0),
            "doubled": sum(n - 1 for n in notes.values() if n > 1)
            + sum(1 for marker in notes if marker not in accepted),
        }


_ERROR = re.compile(
    r'class="form-error-message"[^>]*>(.{0,400}?</span>.{0,400}?)</span>', re.DOTALL
)
_TAG = re.compile(r"<[^>]+>")


def _refusal(answer: Any) -> str:
    """Why a submitted form was not stored: the status and the first error message shown."""
    found = _ERROR.search(answer.body or "") if answer.status == 200 else None
    message = " ".join(_TAG.sub(" ", found.group(1)).split())[:160] if found else ""
    return f"HTTP {answer.status}" + (f": {message}" if message else "")


def _scaled(think: tuple[float, float], factor: float) -> tuple[float, float]:
    return (think[0] * factor, think[1] * factor)


def _timed(label: str, answer: Any, ok_statuses: tuple[int, ...] = (200,)) -> Sample:
    """A sample; a redirect to the login page (a lost session) counts as an error."""
    to_login = (answer.location or "").startswith("/auth/")
    return Sample(
        label,
        answer.seconds,
        answer.status in ok_statuses and not to_login,
        answer.status,
        answer.cpu_ms,
    )


def _caseload(plan: PagePlan) -> Action:
    def action(user: UserClient, _rng: random.Random) -> list[Sample]:
        return [_timed("caseload", user.get(plan.url("caseload")))]

    return action


def _profile(plan: PagePlan) -> Action:
    def action(user: UserClient, rng: random.Random) -> list[Sample]:
        citizen, _start = rng.choice(plan.citizens[user.username])
        return [_timed("citizen profile", user.get(plan.url("profile", citizen_id=citizen)))]

    return action


def _follow_up(plan: PagePlan) -> Action:
    """Open the follow-up form for a free date in a citizen's stay, fill it in and submit it."""

    def action(user: UserClient, rng: random.Random) -> list[Sample]:
        citizen, start = rng.choice(plan.citizens[user.username])
        latest = datetime.now(LOCAL_TIMEZONE).date() - timedelta(days=1)
        earliest = max(start, latest - timedelta(days=400))
        samples = []
        for _ in range(3):
            day = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
            path = f"{plan.url('followup', citizen_id=citizen)}?date={day.isoformat()}"
            page = user.get(path)
            samples.append(_timed("follow-up form GET", page, (200, 302)))
            if page.status == 302:  # a follow-up on that date exists: the form edits it
                continue
            form = post_form(page.body)
            if form is None:
                samples[-1].ok = False
                return samples
            # Letters only: a run of hex digits can look like a CPR number, which DEL refuses.
            marker = f"{plan.marker}{uuid.uuid4().hex.translate(_LETTERS)}"
            answer = user.post(form.action or path, form.filled(rng, note=marker))
            sample = _timed("follow-up form POST", answer, (302, 303))
            samples.append(sample)
            stored = sample.ok
            with plan.lock:
                (plan.accepted if stored else plan.refused).append(marker)
                if not stored:
                    plan.refusals[_refusal(answer)] += 1
            return samples
        return samples

    return action


#: A report page that is not built yet reloads itself (DEL shows "being prepared").
_PREPARING = 'http-equiv="refresh"'
#: Share of report views after which the reader also downloads the PDF.
PDF_SHARE = 0.25


def _until_shown(user: UserClient, path: str, label: str) -> list[Sample]:
    """Open `path` and wait as a reader would until it is shown: the time to content.

    A view that met the "being prepared" page also gives a "... placeholder" sample; the CPU
    is the server's over every request the view took."""
    started = time.monotonic()
    answer = user.get(path)
    cpu = answer.cpu_ms or 0.0
    placeholder = False
    while answer.status == 200 and _PREPARING in answer.body[:4000]:
        placeholder = True
        if time.monotonic() - started > 60:
            break
        time.sleep(0.25)
        answer = user.get(path)
        cpu += answer.cpu_ms or 0.0
    sample = _timed(label, answer)
    sample.seconds = time.monotonic() - started
    sample.ok = sample.ok and not (answer.status == 200 and _PREPARING in answer.body[:4000])
    sample.cpu_ms = cpu if answer.cpu_ms is not None else None
    if not placeholder:
        return [sample]
    return [sample, Sample(f"{label} placeholder", sample.seconds, sample.ok, 200)]


def _report(plan: PagePlan) -> Action:
    """A leader or analyst opens a report of some kind, scope and period; now and then the PDF."""

    def action(user: UserClient, rng: random.Random) -> list[Sample]:
        path = rng.choice(plan.report_urls[user.username])
        samples = _until_shown(user, path, "report page")
        if rng.random() < PDF_SHARE:
            samples += _until_shown(user, path + "&format=pdf", "report PDF")
        return samples

    return action


def _council(plan: PagePlan) -> Action:
    """A council user opens their municipality's summary of a published quarter."""

    def action(user: UserClient, rng: random.Random) -> list[Sample]:
        return _until_shown(user, rng.choice(plan.council_urls), "council summary")

    return action


def _report_urls(app: Flask, database: Database) -> dict[str, list[str]]:
    """Report URLs per reader: every kind, for a few scopes each reader may choose, and periods."""
    with database.engine.connect() as conn:
        centre = conn.execute(
            text("SELECT centre_id FROM users WHERE username = 'leader'")
        ).scalar_one()
        units = [
            row[0]
            for row in conn.execute(
                text("SELECT id FROM units WHERE centre_id = :c ORDER BY id LIMIT 2"), {"c": centre}
            )
        ]
        other = conn.execute(
            text("SELECT id FROM centres WHERE id <> :c ORDER BY id LIMIT 1"), {"c": centre}
        ).scalar_one()
    scopes = {
        "leader": [f"centre:{centre}", *(f"unit:{u}" for u in units)],
        "analyst": ["region", f"centre:{centre}", f"centre:{other}"],
    }
    kinds = ("effect", "documentation", "learning", "economy")
    with app.test_request_context():
        return {
            reader: [
                url_for("reports.show", kind=kind, scope=scope, period=period)
                for kind in kinds
                for scope in reader_scopes
                for period in REPORT_PERIODS
            ]
            for reader, reader_scopes in scopes.items()
        }


def _citizens_by_staff(database: Database, staff: list[str]) -> dict[str, list[tuple[int, date]]]:
    """For each benchmark staff user, (citizen, stay start) of the open stays in their units."""
    out: dict[str, list[tuple[int, date]]] = {}
    with database.session(write=False) as session:
        for username in staff:
            user_id = session.exec(select(User.id).where(User.username == username)).one()
            unit_ids = session.exec(
                select(UserUnit.unit_id).where(UserUnit.user_id == user_id)
            ).all()
            out[username] = sorted(
                session.exec(
                    select(col(Stay.citizen_id), col(Stay.start_date)).where(
                        col(Stay.unit_id).in_(unit_ids), col(Stay.end_date).is_(None)
                    )
                ).all()
            )[:500]
    return out


def plan_pages(app: Flask, database: Database, size: Size) -> PagePlan:
    """The pages of `app` the benchmark can drive on data of `size`, with their URLs."""
    plan = PagePlan(app, staff_usernames(size))
    endpoints = set(app.view_functions)
    with app.test_request_context():
        if "citizens.caseload" in endpoints:
            plan.urls["caseload"] = url_for("citizens.caseload")
            plan.staff_actions.append((_caseload(plan), 3.0))
        else:
            plan.missing.append("caseload (citizens.caseload)")
        if "citizens.profile" in endpoints:
            plan.urls["profile"] = url_for("citizens.profile", citizen_id=_PLACEHOLDER)
            plan.staff_actions.append((_profile(plan), 4.0))
        else:
            plan.missing.append("citizen profile (citizens.profile)")
        if "followups.create" in endpoints:
            plan.urls["followup"] = url_for("followups.create", citizen_id=_PLACEHOLDER)
            plan.staff_actions.append((_follow_up(plan), 2.0))
        else:
            plan.missing.append("follow-up form (followups.create)")
        if "reports.show" in endpoints:
            plan.reader_actions.append((_report(plan), 1.0))
        else:
            plan.missing.append("report pages (reports.show)")
        if "reports.council" in endpoints:
            plan.council_urls = [
                url_for("reports.council", municipality=COUNCIL_MUNICIPALITY, period=period)
                for period in COUNCIL_PERIODS
            ]
            plan.council_actions.append((_council(plan), 1.0))
        else:
            plan.missing.append("council summary (reports.council)")
    if plan.reader_actions:
        plan.report_urls = _report_urls(app, database)
    if plan.staff_actions:
        plan.citizens = _citizens_by_staff(database, plan.staff)
    return plan
