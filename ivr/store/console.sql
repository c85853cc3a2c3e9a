-- What agents did with the calls the bot handed them (one closure per transfer).
CREATE TABLE IF NOT EXISTS transfer_closures (
    call_sid TEXT PRIMARY KEY REFERENCES transfers(call_sid),
    agent TEXT NOT NULL,
    disposition TEXT NOT NULL,
    note TEXT NOT NULL,
    closed_at TEXT NOT NULL
);
