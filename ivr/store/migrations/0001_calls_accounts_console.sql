-- The call record, console accounts and the audit log, and what agents did with transfers
-- and tickets, as they were before versioned migrations (IF NOT EXISTS: a database made
-- then is taken over as it is).

-- The call record. Times are ISO-8601 UTC strings. Text columns holding what people said are
-- redacted before they are written (ivr.store.redact); `calls.caller` keeps the full number
-- because agents return callbacks to it, and is never logged.
CREATE TABLE IF NOT EXISTS calls (
    sid TEXT PRIMARY KEY,
    caller TEXT NOT NULL,
    mode TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT,
    status_sequence INTEGER NOT NULL DEFAULT -1,
    duration_s INTEGER,
    bot_outcome TEXT,
    outcome TEXT CHECK (outcome IN ('contained', 'transferred', 'abandoned')),
    next_step TEXT CHECK (next_step IN ('enqueue', 'hangup')),
    stream_token_hash TEXT,
    stream_sid TEXT
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    call_sid TEXT NOT NULL REFERENCES calls(sid),
    at TEXT NOT NULL,
    speaker TEXT NOT NULL CHECK (speaker IN ('caller', 'bot')),
    text TEXT NOT NULL,
    prompt_id TEXT,
    intent TEXT,
    confidence DOUBLE PRECISION,
    latency_ms DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS turns_by_call ON turns(call_sid, id);
CREATE TABLE IF NOT EXISTS transfers (
    call_sid TEXT PRIMARY KEY REFERENCES calls(sid),
    queue TEXT NOT NULL,
    reason TEXT NOT NULL,
    context TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    queue_result TEXT,
    queue_time_s INTEGER,
    bridged_at TEXT,
    agent_call_sid TEXT
);
CREATE TABLE IF NOT EXISTS call_returns (
    rma TEXT PRIMARY KEY,
    call_sid TEXT NOT NULL REFERENCES calls(sid),
    order_number TEXT NOT NULL,
    reason TEXT NOT NULL,
    items TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS call_cancellations (
    call_sid TEXT NOT NULL REFERENCES calls(sid),
    order_number TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (call_sid, order_number)
);
CREATE TABLE IF NOT EXISTS callbacks (
    call_sid TEXT PRIMARY KEY REFERENCES calls(sid),
    number TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    called_back_at TEXT
);
CREATE TABLE IF NOT EXISTS surveys (
    call_sid TEXT PRIMARY KEY REFERENCES calls(sid),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
    reference TEXT PRIMARY KEY,
    call_sid TEXT NOT NULL REFERENCES calls(sid),
    kind TEXT NOT NULL CHECK (kind IN ('item_problem', 'complaint')),
    order_number TEXT,
    summary TEXT NOT NULL,
    opened_at TEXT NOT NULL
);

-- Console accounts, login attempts (for rate limiting) and the audit log of who saw what.
CREATE TABLE IF NOT EXISTS agents (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor')),
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE TABLE IF NOT EXISTS login_attempts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempts_by_name ON login_attempts(name, at);
CREATE INDEX IF NOT EXISTS login_attempts_by_address ON login_attempts(address, at);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    agent TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log(at);

-- What agents did with the calls the bot handed them (one closure per transfer).
CREATE TABLE IF NOT EXISTS transfer_closures (
    call_sid TEXT PRIMARY KEY REFERENCES transfers(call_sid),
    agent TEXT NOT NULL,
    disposition TEXT NOT NULL,
    note TEXT NOT NULL,
    closed_at TEXT NOT NULL
);

-- What an agent did about a ticket the bot opened (a missing item, a complaint): once each.
CREATE TABLE IF NOT EXISTS ticket_closures (
    reference TEXT PRIMARY KEY REFERENCES tickets(reference),
    agent TEXT NOT NULL,
    resolution TEXT NOT NULL,
    closed_at TEXT NOT NULL
);
