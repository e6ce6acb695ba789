"""The demo's call recordings and transcripts (run by make_demo_data.py; needs espeak-ng and
sox: ``apt-get install espeak-ng sox``). Deterministic: the same data gives the same text,
and espeak-ng renders the same words to the same samples.

- Six answered calls get a short recording (an excerpt of about 25 s: 8 kHz stereo Ogg
  Vorbis, channel 0 the customer, channel 1 the agent) rendered from the scripts below,
  linked in ``contacts.recording_uri``; their talk analytics are written to
  ``talk_analytics.csv`` as ``omnikpi recordings analyze`` computes them.
- Every chat message gets a text (``messages.body``) written from its contact's topic,
  and every answered e-mail its customer's letter and the agent's reply as two messages.

    uv run python scripts/make_demo_media.py
"""

from __future__ import annotations

import random
import tempfile
import zlib
from pathlib import Path

import pandas as pd
import soundfile

from omnikpi.config import Config
from omnikpi.recordings.analyze import analyze_recording
from omnikpi.recordings.synth import Turn, render_call, write_ogg

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "omnikpi" / "demo" / "data"

A, C = "agent", "customer"
CALLS: dict[str, list[Turn]] = {
    # a calm call: turns taken in order, a pause while the agent looks something up
    "card": [Turn(A, 0.3, "Good morning you are speaking with the bank how can I help"),
             Turn(C, 3.6, "Hello my card was blocked this morning"),
             Turn(A, 6.2, "I am sorry to hear that may I have your date of birth please"),
             Turn(C, 10.1, "The fourth of May nineteen eighty"),
             Turn(A, 17.5, "Thank you the card is unblocked you can use it now"),
             Turn(C, 21.0, "Great thank you goodbye")],
    # the customer interrupts twice
    "deposit": [Turn(A, 0.3, "Good afternoon the bank speaking how can I help you"),
                Turn(C, 3.2, "I want to open a deposit for one year"),
                Turn(A, 5.6, "Our best rate for one year is eleven percent"),
                Turn(C, 7.4, "Is that paid monthly"),
                Turn(A, 9.2, "Interest is paid every month to your card account"),
                Turn(C, 11.6, "Then please open it today"),
                Turn(A, 14.0, "Done you will get a message with the details")],
    # a long agent monologue
    "loan": [Turn(C, 0.4, "Hello I am calling about a loan"),
             Turn(A, 2.6, "Of course we have loans for up to five years"),
             Turn(A, 5.6, "The rate depends on your income and the amount you need"),
             Turn(A, 9.4, "You can apply online or in any branch with your passport"),
             Turn(A, 13.3, "A decision usually takes one working day"),
             Turn(C, 17.0, "Thank you I will apply online")],
    # a long silence on hold
    "internet": [Turn(A, 0.3, "Hello technical support how can I help"),
                 Turn(C, 2.9, "My internet has not worked since yesterday"),
                 Turn(A, 5.8, "Let me check the line please stay on the phone"),
                 Turn(A, 16.5, "Thank you for waiting the line is fixed now"),
                 Turn(C, 19.8, "It works thank you")],
    # overtalk: both talk at once
    "billing": [Turn(A, 0.3, "Hello this is billing how can I help"),
                Turn(C, 2.5, "My bill is twice as high as last month"),
                Turn(A, 4.6, "Let me see your account number please"),
                Turn(C, 5.4, "It is one two three four five"),
                Turn(A, 8.2, "You used roaming in Poland last week"),
                Turn(C, 9.4, "But I never turned roaming on"),
                Turn(A, 11.8, "I will refund it this time")],
    "tariff": [Turn(C, 0.3, "Hi I would like a cheaper tariff"),
               Turn(A, 2.4, "Sure how many gigabytes do you use each month"),
               Turn(C, 5.3, "About ten"),
               Turn(A, 7.0, "The basic tariff has fifteen gigabytes for less money"),
               Turn(C, 10.6, "Please switch me to it"),
               Turn(A, 12.6, "Done it starts tomorrow")],
}

CHAT: dict[str, tuple[list[str], list[str]]] = {
    "internet": (["Hi, my home internet keeps dropping every evening.",
                  "The router lights are green but pages do not load.",
                  "I restarted it twice already.", "Yes, I am at home now.",
                  "Ok, it is connected again.", "Will it happen again tonight?"],
                 ["Hello! Sorry about that, let me check your line.",
                  "I see short drops on your line since Monday.",
                  "Please unplug the router for 30 seconds and plug it back in.",
                  "I have reset the port on our side as well.",
                  "The line looks stable now.", "Is there anything else I can help with?"]),
    "roaming": (["Hello, I am travelling to Poland next week.",
                 "Will my phone work there?", "How much is mobile data abroad?",
                 "Can I turn roaming off for calls only?", "Thanks, that is clear."],
                ["Hi! Roaming is on for your number.",
                 "In the EU you pay the same rates as at home.",
                 "Data abroad is included up to 5 GB a month.",
                 "You can switch it in the app under Services.",
                 "Have a good trip!"]),
    "tariff": (["Hi, which tariff has the most data?",
                "My current plan runs out before the end of the month.",
                "How much would the unlimited one cost?", "Please switch me from tomorrow.",
                "Great, thanks."],
               ["Hello! Let me look at your usage.",
                "You use about 20 GB a month.", "The Unlimited tariff is 350 UAH a month.",
                "Done: your new tariff starts tomorrow.",
                "You will get an SMS confirmation."]),
}
EMAIL: dict[str, tuple[str, str]] = {
    "card": ("Hello, my card expires next month. Please tell me when and where I can get "
             "the new one. Regards.",
             "Good day! Your new card will be ready in your branch on the 20th; we will "
             "send you an SMS. Kind regards, the bank."),
    "complaint": ("I waited 40 minutes in the branch yesterday and nobody helped me. I "
                  "want this to be looked into.",
                  "We are sorry for the wait. We have passed your complaint to the branch "
                  "manager, who will call you within two working days."),
    "statement": ("Please send me the statement of my current account for last quarter "
                  "as a PDF.",
                  "Good day! The statement for last quarter is attached. You can also "
                  "download statements in the mobile app under Accounts."),
}


def _pick_calls(contacts: pd.DataFrame) -> dict[str, str]:
    """The first answered, ended voice call of each topic: topic → contact_id."""
    handled = contacts[(contacts.channel == "voice") & contacts.agent_id.notna()
                       & contacts.ended_at.notna() & contacts.parent_id.isna()]
    return {topic: str(handled[handled.topic == topic].iloc[0].contact_id)
            for topic in CALLS}


def make_recordings(contacts: pd.DataFrame, data: Path = DATA) -> pd.DataFrame:
    folder = data / "recordings"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    picked = _pick_calls(contacts)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for topic, contact_id in picked.items():
            wav = Path(tmp) / f"{contact_id}.wav"
            render_call(CALLS[topic], wav)
            samples, rate = soundfile.read(str(wav))
            name = f"{contact_id}.ogg"
            write_ogg(folder / name, samples, rate)
            contacts.loc[contacts.contact_id == contact_id, "recording_uri"] = name
            rows.append(analyze_recording(contact_id, name, folder, Config()).row())
    pd.DataFrame(rows).to_csv(data / "talk_analytics.csv", index=False)
    return contacts


def _seeded(contact_id: str) -> random.Random:
    return random.Random(zlib.crc32(contact_id.encode()))


def chat_texts(messages: pd.DataFrame, contacts: pd.DataFrame) -> list[str | None]:
    topic = dict(zip(contacts.contact_id, contacts.topic, strict=True))
    texts: list[str | None] = []
    said: dict[tuple[str, str], int] = {}
    for contact_id, sender in zip(messages.contact_id, messages.sender, strict=True):
        lines = CHAT.get(str(topic.get(contact_id)))
        if lines is None or sender not in (C, A):
            texts.append(None)
            continue
        own = lines[0] if sender == C else lines[1]
        count = said.get((contact_id, sender), 0)
        said[(contact_id, sender)] = count + 1
        start = _seeded(contact_id).randrange(2)
        texts.append(own[min(count + start, len(own) - 1)] if count < len(own)
                     else ("Ok." if sender == C else "Anything else I can help with?"))
    return texts


def email_messages(contacts: pd.DataFrame) -> pd.DataFrame:
    mails = contacts[(contacts.channel == "email") & contacts.first_response_at.notna()
                     & contacts.agent_id.notna()]
    rows = []
    for row in mails.itertuples():
        letter, reply = EMAIL.get(str(row.topic), EMAIL["card"])
        rows.append({"contact_id": row.contact_id, "ts": row.arrived_at, "sender": C,
                     "agent_id": None, "body": letter})
        rows.append({"contact_id": row.contact_id, "ts": row.first_response_at,
                     "sender": A, "agent_id": row.agent_id, "body": reply})
    return pd.DataFrame(rows)


def main(data: Path = DATA) -> None:
    """Add the media to the simulator's tables in ``data`` (the bundled demo by default;
    the demo test runs it on a fresh simulation to prove the bundle is reproducible)."""
    contacts = pd.read_csv(data / "contacts.csv", dtype=str, keep_default_na=False,
                           na_values=[""])
    messages = pd.read_csv(data / "messages.csv", dtype=str, keep_default_na=False,
                           na_values=[""])
    messages = messages[~messages.contact_id.str.startswith("mail-")].drop(
        columns=["text", "body"], errors="ignore")
    messages["body"] = chat_texts(messages, contacts)
    messages = pd.concat([messages, email_messages(contacts)], ignore_index=True)
    messages = messages.sort_values(["contact_id", "ts"], kind="stable")
    messages.to_csv(data / "messages.csv", index=False)
    contacts = make_recordings(contacts, data)
    contacts.to_csv(data / "contacts.csv", index=False)
    size = sum(f.stat().st_size for f in (data / "recordings").iterdir())
    print(f"demo media: {len(CALLS)} recordings ({size / 1e3:.0f} kB), "
          f"{messages.body.notna().sum()} message texts")


if __name__ == "__main__":
    main()
