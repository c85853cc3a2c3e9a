"""The conversation: dialog state, the policy that turns events into actions, and prompts."""
