"""`ivr simulate`: a whole call in the terminal, through the same CallSession a phone call uses.

Each line the caller types is what they said; `#123` presses keys; an empty line is silence;
end of input hangs up. Bot words and actions are printed as they happen. When standard input is
not a terminal the caller's lines are echoed, so a piped call reads as a transcript.
"""

from __future__ import annotations

import uuid
from typing import TextIO

from ivr.call.bot import build_bot
from ivr.call.session import CallSession
from ivr.config import Settings
from ivr.events import (
    Action,
    Ask,
    CallerHungUp,
    Dtmf,
    EndCall,
    Event,
    Heard,
    NoInput,
    OrderCancelled,
    ReturnCreated,
    Say,
    SurveyAnswered,
    TicketOpened,
    Transfer,
)


def describe(action: Action) -> str:
    """One printed line for an action."""
    match action:
        case Say(text=text) | Ask(text=text):
            line = f"bot: {text}"
        case Transfer(queue=queue, reason=reason):
            line = f"[transfer → queue {queue}: reason {reason}]"
        case ReturnCreated(order_number=order, rma=rma, reason=reason):
            line = f"[return created RMA {rma} for order {order}: {reason}]"
        case OrderCancelled(order_number=order):
            line = f"[order {order} cancelled]"
        case TicketOpened(kind=kind, reference=reference):
            line = f"[{kind.replace('_', ' ')} ticket {reference} opened]"
        case SurveyAnswered(score=score):
            line = f"[survey answer {score}]"
        case EndCall(outcome=outcome):
            line = f"[hangup: {outcome}]"
    return line


def caller_event(line: str) -> Event:
    """What a typed line means: keys, silence or speech."""
    line = line.strip()
    if line.startswith("#"):
        return Dtmf(line[1:])
    return Heard(line) if line else NoInput()


def run_simulation(settings: Settings, caller: str, lines: TextIO, out: TextIO) -> int:
    """Run one call until it ends or input runs out; return 0."""
    session = CallSession(build_bot(settings).policy, f"SIM{uuid.uuid4().hex[:16]}",
                          caller)
    interactive = lines.isatty()
    _print(session.start(), out)
    while not session.ended:
        if interactive:
            out.write("you> ")
            out.flush()
        line = lines.readline()
        if not line:
            session.handle(CallerHungUp())
            out.write("[caller hung up]\n")
            break
        if not interactive:
            out.write(f"caller: {line.strip() or '(silence)'}\n")
        _print(session.handle(caller_event(line)), out)
    return 0


def _print(actions: list[Action], out: TextIO) -> None:
    for action in actions:
        out.write(describe(action) + "\n")
    out.flush()
