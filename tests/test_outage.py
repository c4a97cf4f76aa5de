"""The breaker in front of services that may hang: one failure, then a pause without calls."""

from config.outage import Breaker


def test_a_failure_pauses_the_calls_then_they_resume(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("config.outage.time.monotonic", lambda: clock[0])
    breaker, calls = Breaker("test", pause=10), []

    def flaky(fail: bool) -> str:
        calls.append(fail)
        if fail:
            raise ConnectionError
        return "answer"

    assert breaker.call(flaky, True, default="fallback") == "fallback"
    clock[0] += 9
    assert breaker.call(flaky, False, default="fallback") == "fallback"  # not called
    clock[0] += 2
    assert breaker.call(flaky, False, default="fallback") == "answer"
    assert calls == [True, False]
