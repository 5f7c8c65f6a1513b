"""Council packs from the web: a job, a progress page that survives reloads, downloads."""

from __future__ import annotations

import io
import zipfile

from del_tool.store import get_store
from tests.conftest import login

REFRESH = 'http-equiv="refresh"'


def test_an_analyst_makes_every_pack_of_a_period_and_downloads_them(app, client, make_user, world):
    login(client, make_user("analyst").username)
    assert "Lav kunderådspakker" in client.get("/reports/").text
    form = client.get("/reports/packs/")
    assert form.status_code == 200 and 'name="period"' in form.text
    started = client.post("/reports/packs/", data={"period": "2026Q2"})
    assert started.status_code == 303
    progress_url = started.headers["Location"]
    page = client.get(progress_url)  # jobs ran at once in the test: the packs are done
    assert page.status_code == 200 and REFRESH not in page.text
    assert "2 af 2" in page.text and "Hent alle som ZIP" in page.text
    archive = client.get(progress_url + "/zip")
    assert archive.mimetype == "application/zip"
    names = sorted(zipfile.ZipFile(io.BytesIO(archive.data)).namelist())
    assert len(names) == 4 and names[0].startswith("kunderaad-2026Q2-")
    pdf = client.get(f"{progress_url}/{next(n for n in names if n.endswith('.pdf'))}")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.get(f"{progress_url}/not-a-pack.pdf").status_code == 404
    assert "Se dine seneste pakker (2026Q2)" in client.get("/reports/packs/").text
    client.post("/auth/logout")
    login(client, make_user("analyst", username="other-analyst").username)
    assert client.get(progress_url).status_code == 404  # only the one who asked sees them


def test_the_progress_page_counts_municipalities_and_reloads_until_done(
    app, client, make_user, world
):
    user = make_user("leader", centre_id=world.centres["X"])
    login(client, user.username)
    pack_id = "a" * 32
    state = {
        "id": pack_id,
        "period": "2026Q3",
        "user_id": user.id,
        "total": 22,
        "done": [{"code": "461", "name": "Odense"}] * 7,
        "failed": [{"code": "999", "name": "Ukendt", "message": "NotFoundError: 999"}],
        "files": [],
        "finished": False,
    }
    with app.app_context():
        get_store().put_json(f"packs:{pack_id}", state)
    for _ in range(2):  # a reload shows the same job
        page = client.get(f"/reports/packs/{pack_id}")
        assert page.status_code == 200 and REFRESH in page.text
        assert 'max="22" value="8"' in page.text and "8 af 22 kommuner er klar" in page.text
        assert "Ukendt (999)" in page.text


def test_a_bad_period_stays_on_the_form_with_the_message(client, make_user):
    login(client, make_user("analyst").username)
    page = client.post("/reports/packs/", data={"period": "2026Q9"})
    assert page.status_code == 400 and "Skriv perioden som" in page.text
    assert client.get("/reports/packs/" + "b" * 32).status_code == 404
