"""How well a whole text answers another: BM25-style term weights with a fixed IDF from English word frequencies.

The IDF of a word comes from `wordfreq` (its Zipf frequency in general English), not from the documents stored,
so a pair's text score never moves when an unrelated file arrives. Vectors are hashed into a fixed space and kept
sparse, so one batch of resumes against one batch of jobs is a single sparse matrix product.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from wordfreq import zipf_frequency

from pipeline.baselines import tokens

DIMENSIONS = 1 << 20
K1 = 1.2  # term-frequency saturation, as in BM25
ZIPF_CEILING = 7.0  # words this common (the, and) weigh nothing
UNKNOWN_IDF = 4.0  # words English frequency lists don't know (product names, typos) weigh like rare words
_WORD = re.compile(r"[a-z]")


@functools.lru_cache(maxsize=200_000)
def idf(word: str) -> float:
    """A fixed weight for a word: how rare it is in general English (0 for the commonest)."""
    zipf = zipf_frequency(word, "en")
    if zipf == 0.0:
        return UNKNOWN_IDF if _WORD.search(word) and len(word) <= 30 else 0.0
    return max(0.0, ZIPF_CEILING - zipf)


@functools.lru_cache(maxsize=200_000)
def slot(word: str) -> int:
    return zlib.crc32(word.encode()) % DIMENSIONS


Vector = tuple[np.ndarray, np.ndarray]  # (slots int32, weights float32): compact, for thousands in memory


_CONTACT = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\S*linkedin\.com\S*|\+?\d[\d\s().-]{7,}\d")


def vector(text: str, leave_out: str = "") -> Vector:
    """The unit-length term vector of a text: saturated term frequency times fixed IDF, hashed. Contact details
    (e-mail, links, phone numbers) and the words of `leave_out` (a person's name) say nothing about the work."""
    skip = set(tokens(leave_out))
    weights: dict[int, float] = {}
    for word, count in Counter(t for t in tokens(_CONTACT.sub(" ", text)) if t not in skip).items():
        weight = count * (K1 + 1) / (count + K1) * idf(word)
        if weight > 0:
            index = slot(word)
            weights[index] = weights.get(index, 0.0) + weight
    slots = np.fromiter(weights.keys(), dtype=np.int32, count=len(weights))
    values = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
    norm = float(np.sqrt(np.dot(values, values)))
    return (slots, values / norm) if norm else (slots[:0], values[:0])


def matrix(vectors: Sequence[Vector]) -> sparse.csr_matrix:
    indptr = np.zeros(len(vectors) + 1, dtype=np.int64)
    np.cumsum([len(v[0]) for v in vectors], out=indptr[1:])
    indices = np.concatenate([v[0] for v in vectors]) if vectors else np.zeros(0, np.int32)
    data = np.concatenate([v[1] for v in vectors]) if vectors else np.zeros(0, np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(vectors), DIMENSIONS))


def cosines(resumes: Sequence[Vector], jobs: Sequence[Vector]) -> np.ndarray:
    """resumes × jobs cosine similarities in [0, 1] (the vectors are unit length and non-negative)."""
    return np.asarray((matrix(resumes) @ matrix(jobs).T).todense(), dtype=np.float64)
