-- Gather-mode dialogs between webhooks, so whichever server Twilio's next request reaches can
-- carry the call on. `state` is the dialog's memory as JSON (what the caller said redacted),
-- `answers` the TwiML already given per idempotency token; `version` counts saves, so two
-- servers answering the same call at once cannot overwrite each other. Removed when the
-- dialog ends.
CREATE TABLE gather_dialogs (
    call_sid TEXT PRIMARY KEY REFERENCES calls(sid),
    state TEXT NOT NULL,
    answers TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
