"""Actions tied to report figures (issue #21 item 1): the learning loop.

A leader records, from a key figure or a table row of a report, what will change, who owns it,
by when and which figure it should move (`models.Action`, with a snapshot of the figure as it
was shown). The action log (`views`) follows actions up (open, done, overdue, dropped); later
reports of the same kind and scope show each action beside the figure it should move, then and
now (`display`). Every change is in the change history.
"""
