"""The center-wide audit trail as people read it: filtered, paged, and checked (issue 13 item 9).

``listing`` pages the trail by person, client, action and date, newest first, with keyset paging on
``(at, seq)`` so the thousandth page costs what the first does; ``words`` turns an action key into a
phrase; ``check`` runs the same verification as ``polymodal audit verify`` (the keyed chain, the
checkpoint if one is configured, and the seals of signed notes). Writing the trail stays in
``polymodal.core.audit``.
"""
