"""How alike two of duplicate-post's keys are (its texts' words, lower-cased, without
punctuation): the cheap bound first, then difflib's measure."""

from __future__ import annotations


def may_be_close(
    shape_a: tuple[int, int, int], shape_b: tuple[int, int, int], similarity: float
) -> bool:
    """False when two keys' shapes (``queue._shape``) rule out :func:`close`.

    The same tests as there, on bounds that are never lower: the word counts are exact,
    and a bit one mask has and the other lacks is at least one distinct word not shared.
    """
    len_a, distinct_a, mask_a = shape_a
    len_b, distinct_b, mask_b = shape_b
    shorter, longer = (len_a, len_b) if len_a <= len_b else (len_b, len_a)  # no sorted() call
    if longer == 0 or shorter / longer < similarity:
        return False
    shared = min(
        distinct_a - (mask_a & ~mask_b).bit_count(), distinct_b - (mask_b & ~mask_a).bit_count()
    )
    repeats = min(len_a - distinct_a, len_b - distinct_b)
    return 2 * (shared + repeats) / (len_a + len_b) >= similarity


def close(a: str, b: str, similarity: float) -> bool:
    """Whether two keys are alike word by word (comparing words, not letters, keeps it cheap)."""
    words_a, words_b = a.split(), b.split()
    shorter, longer = sorted((len(words_a), len(words_b)))
    if longer == 0 or shorter / longer < similarity:
        return False
    # The words two texts can match are at most their shared distinct words plus repeats;
    # that bound rules out nearly every pair before difflib does any real work. The sets
    # are built per pair and dropped: kept for every post they cost ~70 MB at 10,000.
    set_a, set_b = set(words_a), set(words_b)
    repeats = min(len(words_a) - len(set_a), len(words_b) - len(set_b))
    bound = len(set_a & set_b) + repeats
    if 2 * bound / (len(words_a) + len(words_b)) < similarity:
        return False
    # What difflib.SequenceMatcher(None, words_a, words_b, autojunk=False).ratio() is:
    # ratio() <= quick_ratio() <= real_quick_ratio(), so asking only ratio() gives the same
    # answer; the bound above already turned away nearly every pair those two would.
    return 2.0 * matched(words_a, words_b) / (len(words_a) + len(words_b)) >= similarity


def matched(a: list[str], b: list[str]) -> int:
    """How many words ``difflib.SequenceMatcher(None, a, b, autojunk=False)`` matches: the
    sizes of its matching blocks added up, found as it finds them, in half its time.

    The longest block common to both (the first of the longest, by where it ends in *a*,
    then in *b*), then the same on each side of it. Without junk (no ``isjunk``, no
    ``autojunk``) difflib's steps that widen a block over junk never widen one, and how
    the blocks are sorted and joined afterwards does not change their total, so this is
    its loop without the rest (tests/test_duplicate_bounds.py compares the two).
    """
    b2j: dict[str, list[int]] = {}
    for j, word in enumerate(b):
        b2j.setdefault(word, []).append(j)
    nothing: list[int] = []
    total = 0
    todo = [(0, len(a), 0, len(b))]
    while todo:
        alo, ahi, blo, bhi = todo.pop()
        best_i, best_j, best = alo, blo, 0
        ending: dict[int, int] = {}  # j -> the length of the common run ending at (i, j)
        for i in range(alo, ahi):
            before = ending.get
            ending = {}
            for j in b2j.get(a[i], nothing):
                if j < blo:
                    continue
                if j >= bhi:
                    break
                k = ending[j] = before(j - 1, 0) + 1
                if k > best:
                    best_i, best_j, best = i - k + 1, j - k + 1, k
        if best:
            total += best
            if alo < best_i and blo < best_j:
                todo.append((alo, best_i, blo, best_j))
            if best_i + best < ahi and best_j + best < bhi:
                todo.append((best_i + best, ahi, best_j + best, bhi))
    return total
