"""Business hours: when agents answer the queue (IVR_BUSINESS_HOURS, IVR_TIMEZONE).

The format is what a shop would write on its website: comma-separated day ranges with one time
range each, e.g. `Mon-Fri 09:00-17:30, Sat 10:00-14:00`. Empty means always open. Outside the
hours callers are offered a callback instead of a queue nobody answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SPAN = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
                   r"(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})$")


@dataclass(frozen=True)
class OpeningSpan:
    """One line of the opening hours: the same times on a run of weekdays."""

    first_day: int
    """0 = Monday."""
    last_day: int
    opens: time
    closes: time

    def covers(self, moment: datetime) -> bool:
        return (self.first_day <= moment.weekday() <= self.last_day
                and self.opens <= moment.time() < self.closes)

    def spoken(self) -> str:
        days = DAY_NAMES[self.first_day]
        if self.last_day != self.first_day:
            days += f" to {DAY_NAMES[self.last_day]}"
        return f"{days}, {_spoken_time(self.opens)} to {_spoken_time(self.closes)}"


@dataclass(frozen=True)
class BusinessHours:
    """When the queue is staffed, in the shop's time zone."""

    spans: tuple[OpeningSpan, ...]
    """Empty: always open."""
    zone: ZoneInfo

    @classmethod
    def always(cls) -> BusinessHours:
        return cls((), ZoneInfo("UTC"))

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo) -> BusinessHours:
        """Parse IVR_BUSINESS_HOURS; ValueError says what is wrong with which part."""
        spans = tuple(_span(part.strip()) for part in text.split(",") if part.strip())
        return cls(spans, zone)

    def is_open(self, moment: datetime) -> bool:
        if not self.spans:
            return True
        local = moment.astimezone(self.zone)
        return any(span.covers(local) for span in self.spans)

    def spoken(self) -> str:
        """For prompts: "Monday to Friday, 9 AM to 5:30 PM, and Saturday, 10 AM to 2 PM"."""
        return ", and ".join(span.spoken() for span in self.spans) or "at any time"


def _span(part: str) -> OpeningSpan:
    match = _SPAN.match(part.lower())
    if not match:
        raise ValueError(f"{part!r} is not like 'Mon-Fri 09:00-17:00'")
    first, last = match["first"], match["last"] or match["first"]
    if first not in DAYS or last not in DAYS:
        raise ValueError(f"{part!r}: days are Mon, Tue, Wed, Thu, Fri, Sat, Sun")
    opens, closes = _time(match["open"], part), _time(match["close"], part)
    if DAYS.index(first) > DAYS.index(last) or opens >= closes:
        raise ValueError(f"{part!r}: the range must run forwards")
    return OpeningSpan(DAYS.index(first), DAYS.index(last), opens, closes)


def _time(text: str, part: str) -> time:
    hours, minutes = (int(piece) for piece in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f"{part!r}: {text} is not a time of day")
    return time(hours, minutes)


def _spoken_time(moment: time) -> str:
    if moment == time.max:
        return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{hour} {suffix}" if not moment.minute else f"{hour}:{moment.minute:02d} {suffix}"
