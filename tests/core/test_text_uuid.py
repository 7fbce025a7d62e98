"""Ids read back from SQLite's text column are the uuid.UUID that uuid.UUID(text) would give, or its error."""

import pickle
import uuid

import pytest
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Client
from polymodal.core.models._base import uuid_from_text
from polymodal.core.services import clients


@pytest.mark.parametrize("made", [uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.uuid1()])
def test_an_id_from_its_32_hex_digits_is_the_same_uuid_in_every_respect(made):
    for text in (made.hex, made.hex.upper()):
        read = uuid_from_text(text)
        assert type(read) is uuid.UUID and read == made and hash(read) == hash(made)
        assert (str(read), repr(read), read.version, read.variant, read.bytes, read.fields) == (
            str(made), repr(made), made.version, made.variant, made.bytes, made.fields)
        assert pickle.loads(pickle.dumps(read)) == made and {read: 1}[made] == 1
        with pytest.raises(TypeError):
            read.int = 1  # as immutable as any uuid.UUID


@pytest.mark.parametrize("text", ["0x" + "1" * 30, "g" * 32, "1" * 31, "1_" * 16, " " + "1" * 31, "1" * 33,
                                  "urn:uuid:" + "a" * 32, "A" * 32])
def test_any_other_text_is_read_or_refused_as_uuid_would(text):
    try:
        expected = uuid.UUID(text)
    except ValueError:
        with pytest.raises(ValueError):
            uuid_from_text(text)
    else:
        assert uuid_from_text(text) == expected


def test_other_spellings_still_parse_and_none_stays_none():
    made = uuid.uuid4()
    assert uuid_from_text(str(made)) == made and uuid_from_text("{" + str(made) + "}") == made
    assert uuid_from_text(None) is None


def test_a_client_read_back_has_the_id_it_was_registered_with(practice, staff):
    with practice.work(staff["desk"]) as work:
        made = clients.register_client(work, {"legal_first_name": "Ana", "legal_last_name": "Ruiz",
                                              "date_of_birth": "1990-04-01"}).id
    with practice.work(Actor.system("test"), write=False) as work:
        (read,) = work.db.connection().execute(select(Client.id).where(Client.id == made)).scalars()
    assert type(read) is uuid.UUID and read == made


def test_an_id_read_again_is_the_same_object_and_what_is_kept_stays_bounded(monkeypatch):
    from polymodal.core.models import _base

    monkeypatch.setattr(_base, "_READ", {})
    monkeypatch.setattr(_base, "_READ_LIMIT", 3)
    made = uuid.uuid4()
    first, again = uuid_from_text(made.hex), uuid_from_text(made.hex)
    assert first is again and first == made and hash(first) == hash(made)
    for _ in range(10):
        uuid_from_text(uuid.uuid4().hex)
    assert len(_base._READ) <= 3
    assert uuid_from_text(made.hex) == made  # read again after it was let go: the same id
    with pytest.raises(ValueError):  # text refused is not kept
        uuid_from_text("g" * 32)
    assert "g" * 32 not in _base._READ
