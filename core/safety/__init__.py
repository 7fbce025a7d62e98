"""Safety: the client's safety plan (versioned, never overwritten) and the crisis text the portal shows.

``plans`` writes and reads safety plans (the steps of Stanley and Brown's safety-planning intervention),
with the same access as other clinical records; ``crisis`` keeps the center's crisis text per jurisdiction
and tells whether answers just filed report suicidal thoughts. docs/safety.md describes both.
"""
