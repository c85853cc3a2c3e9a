"""Twilio's wire formats: Media Streams JSON ⇄ typed messages, and the TwiML we answer with."""
