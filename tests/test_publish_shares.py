"""A publisher's order over a pass's due posts when the other publishers are found late
(soulpost/run/sharing.py, :class:`Shares`): publishers starting together on a busy host
register with the ledger at different moments, so the first to look may believe it is
alone and send in time order, through the shares of the others. When a chunk shows
another publisher at work (a post of it taken already), the publisher looks again and
orders what is left by its new place."""

from __future__ import annotations

from itertools import chain

from soulpost.run.sharing import Shares, spread


class _Places:
    """What the ledger answers for (rank, count), one answer per question."""

    def __init__(self, *answers: tuple[int, int]) -> None:
        self.answers = list(answers)
        self.asked = 0

    def __call__(self) -> tuple[int, int]:
        self.asked += 1
        return self.answers[min(self.asked, len(self.answers)) - 1]


def _drain(shares: Shares[int]) -> list[list[int]]:
    out = []
    while (part := shares.next()) is not None:
        out.append(part)
    return out


def test_without_crowding_the_chunks_are_the_spread_order_and_place_is_asked_once() -> None:
    places = _Places((1, 3))
    shares = Shares(list(range(12)), places, size=4)
    assert list(chain(*_drain(shares))) == spread(list(range(12)), 1, 3)
    assert places.asked == 1 and not shares.moved


def test_a_crowded_chunk_places_the_publisher_again_and_reorders_the_rest() -> None:
    places = _Places((0, 1), (1, 2))  # alone at first, then one of two
    shares = Shares(list(range(20)), places, size=4)
    assert shares.next() == [0, 1, 2, 3]
    shares.crowded()  # another publisher took some of them
    assert shares.moved and places.asked == 2
    rest = _drain(shares)
    assert rest[0] == [10, 11, 12, 13]  # its own share now: the second half
    flat = list(chain(*rest))
    assert sorted(flat) == list(range(4, 20))  # every post not yet sent, once
    assert flat == [p for p in spread(list(range(20)), 1, 2) if p >= 4]


def test_crowding_with_the_same_place_keeps_the_order() -> None:
    places = _Places((0, 2))
    shares = Shares(list(range(8)), places, size=2)
    first = shares.next()
    shares.crowded()
    assert not shares.moved and places.asked == 2
    assert [first, *_drain(shares)] == [[0, 1], [2, 3], [7, 6], [5, 4]]


def test_nothing_due_asks_nothing() -> None:
    places = _Places((0, 1))
    assert Shares([], places).next() is None and places.asked == 0


def test_a_prune_keeps_what_is_left_and_shares_it_out_again() -> None:
    """Where another publisher has been (a chunk wholly taken, a claim refused), what is
    left of the order is asked for at once, and split again among the publishers: two
    helpers walking one share from its end would otherwise race for it post by post."""
    places = _Places((0, 2), (1, 2))
    shares = Shares(list(range(16)), places, size=2)
    assert shares.next() == [0, 1]
    left = {5, 6, 9, 12, 13, 14}

    def keep(rest: list[int]) -> list[int]:
        assert sorted(rest) == list(range(2, 16))  # everything not yet given, asked once
        return [item for item in rest if item in left]

    shares.prune(keep)
    assert shares.moved and places.asked == 2
    # Its share of what is left (one of two: the second half, 12-14) in time order, then
    # the other's from its end.
    assert list(chain(*_drain(shares))) == [12, 13, 14, 9, 6, 5]


def test_a_helper_sharing_a_share_gets_its_own_part_of_what_is_left() -> None:
    # Two publishers that both took a refused claim in the last share see the same posts
    # left and split them, each its own half first.
    left = list(range(100, 108))
    first = Shares(list(range(108)), _Places((0, 2)), size=4)
    second = Shares(list(range(108)), _Places((1, 2)), size=4)
    for shares in (first, second):
        shares.prune(lambda rest: [item for item in rest if item in left])
    assert first.next() == [100, 101, 102, 103]
    assert second.next() == [104, 105, 106, 107]
