"""A route-less blueprint that makes the questionnaire templates (the assessment macro) findable.

Register it in `create_app`; templates then import
``{% from "questionnaires/_assessment.html" import render_assessment %}``.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("questionnaires", __name__, template_folder="templates")
