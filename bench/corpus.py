"""Generate a reproducible corpus of news-like sentences (JSONL documents).

    python bench/corpus.py --sentences 100000 --seed 1 -o /tmp/news.jsonl

Most sentences carry no event, as in real news; about one in six is built
from an event template (capture, offensive, consolidation, in active and
passive voice, with negation and intent mixed in).  The same seed always
gives the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random

ACTORS = ["Iraqi forces", "Islamic State", "the Syrian army", "the SDF", "Turkish troops", "Houthi forces",
          "Taliban fighters", "al-Shabaab", "M23 rebels", "the Rapid Support Forces", "Russian forces",
          "Ukrainian troops", "Boko Haram", "Afghan forces", "the Peshmerga", "Hezbollah"]
PLACES = ["Rawa", "al-Qaim", "Albu Kamal", "Mosul", "Raqqa", "Tabqa", "Deir ez-Zor", "Palmyra", "Aleppo",
          "Manbij", "Bakhmut", "Avdiivka", "Kidal", "Goma", "El Fasher", "Marib", "Kismayo", "Kunduz",
          "Maiduguri", "Hawija", "Ramadi", "Fallujah", "Tal Afar", "Mayadin"]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday",
        "last week", "in June", "on 12 March", "yesterday", ""]

EVENTS = [
    "{a} captured {p} from {b} {d}.",
    "{p} was recaptured by {a} {d}, officials said.",
    "{a} launched an offensive {d} against {b} near {p}.",
    "{a} clashed with {b} in {p} {d}, killing several fighters.",
    "{a} shelled {b} positions outside {p} {d}.",
    "{a} is reinforcing its positions around {p}, a spokesman said.",
    "{a} drove {b} out of several villages near {p} {d}.",
    "{p} fell to {a} {d} after weeks of fighting.",
    "{a} did not capture {p}, the ministry said.",
    "{a} plans to attack {b} in {p} next month.",
    "Clashes between {a} and {b} erupted in {p} {d}.",
    "{a} set up checkpoints around {p} {d}.",
]

FILLER = [
    "The {n} said talks on a ceasefire would resume in {c} next week.",
    "Prices of bread and fuel rose sharply in {p} as the currency fell.",
    "Aid agencies said thousands of families had fled to camps near {p}.",
    "The minister met his counterpart in {c} to discuss trade and energy.",
    "Schools in {p} reopened {d} after months of closure.",
    "Officials said the election would be held in the spring, despite calls for a delay.",
    "A spokesman for the {n} declined to comment on the report.",
    "The United Nations called for humanitarian access to {p}.",
    "Residents said electricity had been restored to parts of the city.",
    "Analysts said the economy was expected to grow by 2.5 percent this year.",
    "The central bank kept interest rates unchanged on {d2}.",
    "Journalists were allowed to visit {p} for the first time in two years.",
    "Farmers in the region said the harvest had been poor because of drought.",
    "The talks, mediated by {c}, ended without an agreement.",
    "Water shortages have worsened in {p}, according to a report released on Tuesday.",
    "The government announced a new budget with more money for hospitals.",
    "Rescue workers were searching for survivors after floods hit villages near {p}.",
    "Col. John Smith told reporters the U.S.-led coalition would stay in the region.",
]
NAMES = ["ministry", "army", "government", "coalition", "United Nations", "Red Cross"]
CAPITALS = ["Baghdad", "Damascus", "Ankara", "Geneva", "Doha", "Cairo", "Moscow", "Washington"]


def sentence(rng: random.Random, event_share: float) -> str:
    if rng.random() < event_share:
        a, b = rng.sample(ACTORS, 2)
        text = rng.choice(EVENTS).format(a=a, b=b, p=rng.choice(PLACES), d=rng.choice(DAYS))
    else:
        text = rng.choice(FILLER).format(n=rng.choice(NAMES), c=rng.choice(CAPITALS), p=rng.choice(PLACES),
                                         d=rng.choice(DAYS[:7]), d2=rng.choice(DAYS[:7]).replace("on ", ""))
    text = " ".join(text.split())
    return text[0].upper() + text[1:]


def documents(n_sentences: int, seed: int = 1, event_share: float = 1 / 6, per_doc: int = 12):
    """Yield JSONL-ready dicts holding ``n_sentences`` sentences in all."""
    rng = random.Random(seed)
    start = dt.date(2017, 1, 1)
    made = 0
    k = 0
    while made < n_sentences:
        n = min(per_doc, n_sentences - made)
        paras = [" ".join(sentence(rng, event_share) for _ in range(2)) for _ in range(n // 2)]
        if n % 2:
            paras.append(sentence(rng, event_share))
        date = start + dt.timedelta(days=k % 1500)
        yield {"id": f"doc-{k:07d}", "date": date.isoformat(), "source": "bench", "text": "\n".join(paras)}
        made += n
        k += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--event-share", type=float, default=1 / 6)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    with open(args.output, "w", encoding="utf-8") as f:
        for doc in documents(args.sentences, args.seed, args.event_share):
            f.write(json.dumps(doc) + "\n")


if __name__ == "__main__":
    main()
