"""Issue 11 §6 and §8: text that hides what it says, or that a database cannot store, is
refused with 400 naming the field and nothing written; no personal data reaches a log."""

from __future__ import annotations

import json
import logging

import pytest
from sec_helpers import Api, claim_body, person_body
from sqlalchemy import text

from yibao.store.db import make_engine

BAD = {
    "NUL": "A\u0000",
    "bidi override": "赵\u202e六",
    "zero-width space": "赵\u200b六",
    "lone surrogate": "赵\ud800",
    "bell": "赵\u0007",
}


@pytest.mark.parametrize("what", sorted(BAD))
@pytest.mark.parametrize("db", ["api", "pg_api"])
def test_a_name_with_hidden_characters_is_refused(
    what: str, db: str, request: pytest.FixtureRequest
) -> None:
    api: Api = request.getfixturevalue(db)
    before = api.counts()
    # json.dumps escapes a lone surrogate as \ud800, as a client's JSON would carry it
    raw = json.dumps(person_body(name=BAD[what]))
    headers = {**api.h("staff"), "Content-Type": "application/json"}
    r = api.client.post("/persons", content=raw, headers=headers)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "person.name" or "name" in r.json()["message"], r.text
    assert api.counts() == before


def test_a_claim_id_with_a_bidi_override_is_refused(api: Api) -> None:
    before = api.counts()
    body = claim_body(api.person_id, no="C\u202e1")
    r = api.client.post("/claims/settle", json=body, headers=api.h("provider"))
    assert r.status_code == 400 and "U+202E" in r.json()["message"], r.text
    assert api.counts() == before


def test_names_are_stored_nfc(api: Api) -> None:
    decomposed = "Jose\u0301"  # e + combining acute: one letter, two code points
    r = api.client.post("/persons", json=person_body(name=decomposed), headers=api.h("staff"))
    assert r.status_code == 201, r.text
    got = api.client.get(f"/persons/{r.json()['person_id']}", headers=api.h("staff")).json()
    assert "Jos\u00e9" in str(got) or "\u0301" not in str(got)


def test_a_failed_statement_logs_no_bound_values(
    pg_schema: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The engine hides parameters: an error names the SQL, never an ID number."""
    from sec_helpers import PG_URL

    engine = make_engine(PG_URL, schema=pg_schema)
    secret = "990101198011179761"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Exception) as err, engine.connect() as c:
        c.execute(text("select :v from no_such_table"), {"v": secret})
    engine.dispose()
    assert secret not in str(err.value)
    assert secret not in caplog.text
