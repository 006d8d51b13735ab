#!/usr/bin/env python3
"""Deterministic corpus for test/bench/search_scale.sh (python3, stdlib only).

    test/bench/corpus.py N        N documents as COPY text (doc_id, title, body)
    test/bench/corpus.py --words  the vocabulary: rank, word (rank 1 = most frequent)

Each document has a title of 5 to 10 words and a body of 80 to 150 words,
every word drawn independently from a Zipf-distributed vocabulary (weight
1/rank, s = 1) of 50,000 synthetic lowercase words.  The words are made of
syllables (consonant + vowel) and end in a consonant, never in a suffix the
english Snowball stemmer removes (-s, -ed, -ing, -er, -al, -or, -ful, -e,
-y...), so that each word is its own lexeme; they are all distinct, and
shorter words get the lower (more frequent) ranks.

Output is byte-identical for the same N (fixed seeds; only random.random()
and bisect are used, whose results do not change between Python versions),
and the corpus of N documents is the first N lines of any larger one.
"""

import bisect
import itertools
import random
import sys

VOCABULARY = 50000
VOCAB_SEED = 20240615
DOC_SEED = 424242

ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
          "br", "dr", "gr", "kr", "pr", "tr", "st", "sk", "pl", "kl"]
VOWELS = ["a", "e", "i", "o", "u"]
CODAS = ["k", "t", "p", "m", "n", "r", "d", "b", "g", "l", "v", "z"]
# word endings (last vowel + final consonant) the english stemmer would take off
# or change: -al, -er, -ed, -or (-ator), -ul (-ful)
BAD_ENDINGS = {"al", "er", "ed", "or", "ul"}


def vocabulary():
    """The 50,000 words in rank order."""
    rnd = random.Random(VOCAB_SEED).random
    seen = set()
    words = []
    while len(words) < VOCABULARY:
        x = rnd()
        nsyl = 2 if x < 0.3 else 3 if x < 0.8 else 4
        parts = []
        for _ in range(nsyl):
            parts.append(ONSETS[int(rnd() * len(ONSETS))])
            parts.append(VOWELS[int(rnd() * len(VOWELS))])
        coda = CODAS[int(rnd() * len(CODAS))]
        if parts[-1] + coda in BAD_ENDINGS:
            continue
        w = "".join(parts) + coda
        if w in seen:
            continue
        seen.add(w)
        words.append(w)
    # shorter words are more frequent (as in natural language); stable sort,
    # so words of one length keep the order they were drawn in
    words.sort(key=len)
    return words


def documents(n, out):
    words = vocabulary()
    cum = list(itertools.accumulate(1.0 / r for r in range(1, VOCABULARY + 1)))
    total = cum[-1]
    rnd = random.Random(DOC_SEED).random
    bis = bisect.bisect_right
    hi = VOCABULARY - 1
    buf = []
    for doc_id in range(1, n + 1):
        nt = 5 + int(rnd() * 6)  # 5..10
        nb = 80 + int(rnd() * 71)  # 80..150
        draw = [words[bis(cum, rnd() * total, 0, hi)] for _ in range(nt + nb)]
        buf.append("%d\t%s\t%s\n" % (doc_id, " ".join(draw[:nt]), " ".join(draw[nt:])))
        if len(buf) >= 2000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


def main(argv):
    if len(argv) == 2 and argv[1] == "--words":
        sys.stdout.write("".join("%d\t%s\n" % (i, w) for i, w in enumerate(vocabulary(), 1)))
        return 0
    if len(argv) == 2 and argv[1].isdigit():
        documents(int(argv[1]), sys.stdout)
        return 0
    sys.stderr.write("usage: corpus.py N | corpus.py --words\n")
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:  # e.g. piped into head
        sys.exit(1)
