"""URL converters: ids in URLs are bounded to what the database's INTEGER columns can hold."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: The largest value of a 32-bit signed INTEGER (PostgreSQL's `integer`, DEL's id columns).
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:id>` that answers 404 for ids no row can have, instead of a database error."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)
