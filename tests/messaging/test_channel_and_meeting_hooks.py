"""Plugins deliver by other channels and make meeting links; core's console channel for development."""

import datetime as dt
import logging

import pytest

from polymodal.core.access import Actor
from polymodal.core.api import DeliveryFailed, OutgoingMessage, hookimpl
from polymodal.core.errors import StartupError
from polymodal.core.messaging import meetings
from polymodal.core.messaging.outbox import Recipient, queue_message
from polymodal.core.messaging.queue import jobs_of
from tests.messaging.conftest import outbox, run_jobs


class Sms:
    key = "sms"

    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[OutgoingMessage] = []
        self.refuse = refuse

    def ready(self) -> bool:
        return True

    def send(self, message: OutgoingMessage) -> None:
        if self.refuse:
            raise DeliveryFailed("gateway says: number not reachable", permanent=True)
        self.sent.append(message)


class SmsPlugin:
    def __init__(self, channel: Sms) -> None:
        self.channel = channel

    @hookimpl
    def polymodal_message_channels(self):
        return [self.channel]


class VideoPlugin:
    @hookimpl
    def polymodal_meeting_link(self, request):
        return f"https://video.example/{request.session_id}"


@pytest.fixture
def clinic(load_plugin):
    return ("clinic", load_plugin("clinic"))


def test_hook_polymodal_message_channels_delivers_by_a_plugins_channel(make_practice, clinic):
    sms = Sms()
    practice = make_practice(clinic, ("sms", SmsPlugin(sms)))
    with practice.work(Actor.system("test")) as work:
        from polymodal.core.services import center

        center.setup_center(work, {"name": "Test Center", "timezone": "UTC", "jurisdiction": "US-CA"})
        queue_message(work, "portal_link", Recipient("+15550100", "Ada", "Ada"),
                      {"portal_url": "https://x.example/p/t", "expires": "Friday"}, channel="sms")
    run_jobs(practice)
    (message,) = sms.sent
    assert message.recipient == "+15550100" and "https://x.example/p/t" in message.text
    assert [m.state for m in outbox(practice)] == ["sent"]


def test_hook_polymodal_message_channels_failure_is_shown_with_the_answer(make_practice, clinic):
    practice = make_practice(clinic, ("sms", SmsPlugin(Sms(refuse=True))))
    with practice.work(Actor.system("test")) as work:
        from polymodal.core.services import center

        center.setup_center(work, {"name": "Test Center", "timezone": "UTC", "jurisdiction": "US-CA"})
        queue_message(work, "reminder", Recipient("+15550100", "Ada", "Ada"), {"when": "Friday"}, channel="sms")
    run_jobs(practice)
    (message,) = outbox(practice)
    assert (message.state, message.last_error) == ("failed", "gateway says: number not reachable")


def test_hook_polymodal_message_channels_may_not_take_a_cores_key(make_practice, clinic):
    class Impostor(Sms):
        key = "email"

    practice = make_practice(clinic, ("bad", SmsPlugin(Impostor())))
    with pytest.raises(StartupError, match="'email', which exists already"):
        jobs_of(practice)


def test_the_console_channel_logs_instead_of_sending(make_practice, clinic, caplog, sink, tmp_path):
    import dataclasses

    practice = make_practice(clinic)
    practice.settings = dataclasses.replace(practice.settings,
                                            jobs=dataclasses.replace(practice.settings.jobs, channel="console"))
    with practice.work(Actor.system("test")) as work:
        from polymodal.core.services import center

        center.setup_center(work, {"name": "Test Center", "timezone": "UTC", "jurisdiction": "US-CA"})
        queue_message(work, "reminder", Recipient("ada@example.org", "Ada", "Ada"), {"when": "Friday 10:00"})
    with caplog.at_level(logging.INFO, logger="polymodal.messages"):
        run_jobs(practice)
    assert "Friday 10:00" in caplog.text and sink.messages == []


def video_booking(practice, staff, client_case):
    from polymodal.core.services import scheduling

    with practice.work(staff["desk"]) as work:
        (session,) = scheduling.schedule_session(
            work, {"case_id": client_case[1], "modality_key": "clinic/therapy", "delivery": "video",
                   "starts_at": dt.datetime(2026, 3, 5, 10, 0)})
        return session


@pytest.mark.parametrize("extra_plugins", [[("video", VideoPlugin())]])
def test_hook_polymodal_meeting_link_gives_a_video_session_its_link(practice, staff, client_case, sink):
    session = video_booking(practice, staff, client_case)
    run_jobs(practice)
    text = sink.messages[0].message.get_body(preferencelist=("plain",)).get_content()
    assert f"Join by video: https://video.example/{session.id}" in text
    with practice.work(Actor.system("test"), write=False) as work:
        assert meetings.session_link(work, session.id) == f"https://video.example/{session.id}"


@pytest.mark.parametrize("extra_plugins", [[("video", VideoPlugin())]])
def test_a_standing_room_comes_before_a_plugins_link(practice, staff, client_case, sink):
    with practice.work(staff["super"]) as work:
        meetings.set_standing_room(work, staff["super"].user_id, "https://rooms.example/super")
    session = video_booking(practice, staff, client_case)
    run_jobs(practice)
    text = sink.messages[0].message.get_body(preferencelist=("plain",)).get_content()
    assert "Join by video: https://rooms.example/super" in text
    assert "video.example" not in text
    with practice.work(Actor.system("test"), write=False) as work:
        assert meetings.session_link(work, session.id) == "https://rooms.example/super"


def test_a_standing_room_must_be_https(practice, staff):
    from polymodal.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err, practice.work(staff["super"]) as work:
        meetings.set_standing_room(work, staff["super"].user_id, "javascript:alert(1)")
    assert "https://" in err.value.errors["meeting_url"]
