from bot.scheduling.pacing import Pacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_slots_are_evenly_spaced_and_never_burst() -> None:
    clock = FakeClock()
    pacer = Pacer(rate=45, monotonic=clock)
    delays = [pacer.reserve() for _ in range(120)]
    slots = [100.0 + d for d in delays]
    # Any one-second window holds at most 45 slots (the configured rate).
    assert max(sum(1 for s in slots if start <= s < start + 1) for start in slots) == 45
    assert delays[0] == 0 and abs(delays[-1] - 119 / 45) < 1e-9


def test_idle_time_is_not_banked_as_burst_credit() -> None:
    clock = FakeClock()
    pacer = Pacer(rate=10, monotonic=clock)
    assert pacer.reserve() == 0
    clock.now += 60  # a quiet minute
    assert pacer.reserve() == 0
    assert abs(pacer.reserve() - 0.1) < 1e-9
