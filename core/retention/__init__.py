"""Record retention: how long a client's clinical record is kept, legal holds, and audited destruction.

``rules`` says, per jurisdiction, how many years a record is kept; ``due`` lists the records whose time has
come (never one under a legal hold); ``holds`` places and lifts legal holds; ``destroy`` removes a record's
clinical content and leaves a tombstone. docs/retention.md explains the rules and their sources.
"""
