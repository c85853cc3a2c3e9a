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
