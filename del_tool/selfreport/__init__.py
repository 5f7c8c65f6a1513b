"""The citizen's own answers on a locked screen (issue #21 item 2).

A staff member starts a session for one citizen (`views.prepare`); the browser then shows only
that citizen's self-report questions, one per screen in large type (`views.question`), until
the citizen is done, stops, or leaves the screen idle; only the starter's password or PIN
unlocks it again (`views.unlock`). `services` holds the rules, `lock` the request check that
keeps every other page out of reach meanwhile.
"""
