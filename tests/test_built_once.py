"""Per-context artefacts: each built once, and a slow one never holds up the others."""

from __future__ import annotations

import threading

import pytest

from ivr.built_once import BuiltOnce


def test_a_slow_build_does_not_hold_up_other_keys_and_runs_once() -> None:
    main_may_finish = threading.Event()
    builds: list[str] = []

    def build(key: str) -> str:
        builds.append(key)
        if key == "main":
            assert main_may_finish.wait(10)
        return key.upper()

    built = BuiltOnce(build)
    waiting = [threading.Thread(target=built.get, args=("main",)) for _ in range(3)]
    for thread in waiting:
        thread.start()
    assert built.get("confirm") == "CONFIRM"  # while main is still being built
    main_may_finish.set()
    for thread in waiting:
        thread.join(10)
    assert built.get("main") == "MAIN"
    assert sorted(builds) == ["confirm", "main"]


def test_a_failed_build_is_tried_again() -> None:
    attempts: list[int] = []

    def build(key: str) -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("model not ready")
        return len(attempts)

    built = BuiltOnce(build)
    with pytest.raises(RuntimeError):
        built.get("main")
    assert built.get("main") == 2


def test_what_another_thread_is_building_is_not_waited_for_when_asked_not_to() -> None:
    main_may_finish = threading.Event()
    main_started = threading.Event()

    def build(key: str) -> str:
        if key == "main":
            main_started.set()
            assert main_may_finish.wait(10)
        return key.upper()

    built = BuiltOnce(build)
    builder = threading.Thread(target=built.get, args=("main",))
    builder.start()
    assert main_started.wait(10)
    assert built.building("main") and not built.building("confirm")
    assert built.get_unless_building("main") is None  # returns at once, mid-build
    assert built.get_unless_building("confirm") == "CONFIRM"  # nobody building: built here
    main_may_finish.set()
    builder.join(10)
    assert built.get_unless_building("main") == "MAIN"
    assert not built.building("main")
    assert built.built_keys() == {"main", "confirm"}
