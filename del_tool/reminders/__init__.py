"""Reminders (issue #21 item 3): a weekly e-mail digest of the follow-ups that are overdue and
due this week, for staff and leaders who ask for it.

A user subscribes on their account page (`views`, an address and a yes); the worker's weekly job
(`tasks`, at REMINDER_SCHEDULE) or `del-tool reminders send` composes each subscriber's digest
from the caseload rule (`digest`) and sends it over SMTP (`mail`). A digest holds counts per unit
and a link, never a citizen's name: the mail leaves DEL's access control, so it carries nothing
the access log would have to record.
"""
