"""Spoken and written numbers to digit strings: "seven oh oh five five" -> "70055".

Callers read order numbers digit by digit ("four eight two one three"), in pairs ("forty eight
two thirteen"), with "double"/"triple", or as a cardinal ("twelve thousand three hundred forty
five"); recognisers may also give figures ("48213", "48 213"). Each run of number words becomes
one digit string.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
         "seven": 7, "eight": 8, "nine": 9}
TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
         "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
ZERO_LETTERS = frozenset({"oh", "o", "nought", "nil"})
"""Said for 0 inside a number; alone, "oh" is an interjection, not a digit."""
REPEATERS = {"double": 2, "triple": 3}

HOMOPHONES = {"for": "four", "fore": "four", "to": "two", "too": "two", "won": "one",
              "ate": "eight", "free": "three", "tree": "three", "fife": "five", "niner": "nine",
              "nein": "nine"}
"""Words a recogniser writes for a digit ("for eight two one three", "one to three"), read as
that digit only before another number word, where a number is being read out."""

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
"""How each digit is spoken, for turning digit strings back into words."""


@dataclass(frozen=True, slots=True)
class DigitRun:
    """A run of number words found in a list of words."""

    start: int
    """Index of the first word of the run."""
    end: int
    """Index one past the last word."""
    digits: str


def _is_number_word(words: list[str], index: int) -> bool:
    word = words[index]
    if _is_numeral(word):
        return True
    if word in REPEATERS:
        following = words[index + 1] if index + 1 < len(words) else ""
        return following in ZERO_LETTERS or _neighbour_is_number(words, index, +1)
    if word in ("hundred", "thousand"):
        return _neighbour_is_number(words, index, -1)
    if word in ZERO_LETTERS:
        after_repeater = index > 0 and words[index - 1] in REPEATERS
        return (after_repeater or _neighbour_is_number(words, index, -1)
                or _neighbour_is_number(words, index, +1))
    return False


def _neighbour_is_number(words: list[str], index: int, step: int) -> bool:
    return _is_numeral(_neighbour(words, index, step))


def _is_numeral(word: str) -> bool:
    return word.isdigit() or word in UNITS or word in TEENS or word in TENS


def _neighbour(words: list[str], index: int, step: int) -> str:
    """The nearest word in the direction of `step` past any "oh"s; "" at either end."""
    other = index + step
    while 0 <= other < len(words) and words[other] in ZERO_LETTERS:
        other += step
    return words[other] if 0 <= other < len(words) else ""


def with_digit_homophones(words: list[str]) -> list[str]:
    """The words with each homophone of a digit that a number word follows spelled as that
    digit: "for eight two" → "four eight two", "one to three" → "one two three". One after a
    number is left alone ("track four eight two one three for me" is about order 48213) unless
    it ends the utterance read digit by digit: nothing follows that it could lead to ("the
    status of order two two nine one for" is order 22914)."""
    heard = list(words)
    for index in range(len(heard) - 1, -1, -1):  # right to left: "for to one" → "four two one"
        ends_digit_reading = index == len(heard) - 1 and index > 0 and heard[index - 1] in UNITS
        if heard[index] in HOMOPHONES and (_digit_said_next(heard, index) or ends_digit_reading):
            heard[index] = HOMOPHONES[heard[index]]
    return heard


def _digit_said_next(words: list[str], index: int) -> bool:
    """Whether a number read out digit by digit goes on after this word: a number word or one
    figure ("for eight", "for 8, 2"), not a whole number in figures ("status for 44201"), or
    a digit said twice ("won double oh")."""
    if index + 2 < len(words) and words[index + 1] in REPEATERS:
        repeated = words[index + 2]
        return _is_numeral(repeated) or repeated in ZERO_LETTERS
    following = _neighbour(words, index, +1)
    return _is_numeral(following) and (not following.isdigit() or len(following) == 1)


def find_digit_runs(words: list[str]) -> list[DigitRun]:
    """Every maximal run of number words, converted to digits."""
    runs: list[DigitRun] = []
    index = 0
    while index < len(words):
        if not _is_number_word(words, index):
            index += 1
            continue
        end = index
        while end < len(words) and (
            _is_number_word(words, end)
            or (words[end] == "and" and end + 1 < len(words) and words[end - 1] == "hundred")
        ):
            end += 1
        digits = to_digits(words[index:end])
        if digits:
            runs.append(DigitRun(index, end, digits))
        index = end
    return runs


def with_runs_as_numbers(words: list[str]) -> list[str]:
    """The words with each run of number words as one number: size, forty, two → size, 42."""
    joined = list(words)
    for run in reversed(find_digit_runs(joined)):
        joined[run.start:run.end] = [run.digits]
    return joined


def to_digits(words: list[str]) -> str:
    """Convert a run of number words to its digit string ("" if it holds no number)."""
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.isdigit():
            out.append(word)
            index += 1
        elif word in ZERO_LETTERS:
            out.append("0")
            index += 1
        elif word in REPEATERS:
            times = REPEATERS[word]
            index += 1
            if index < len(words):
                digit, index = _single_digit(words, index)
                out.append(digit * times)
        elif word == "and":
            index += 1
        else:
            value, index = _cardinal(words, index)
            out.append(value)
    return "".join(out)


def _single_digit(words: list[str], index: int) -> tuple[str, int]:
    word = words[index]
    if word in ZERO_LETTERS:
        return "0", index + 1
    if word in UNITS:
        return str(UNITS[word]), index + 1
    if word.isdigit():
        return word, index + 1
    return "", index


def _small(words: list[str], index: int) -> tuple[int | None, int]:
    """A number below 100 starting at index: "forty two", "thirteen", "seven"."""
    if index >= len(words):
        return None, index
    word = words[index]
    if word in TENS:
        following = words[index + 1] if index + 1 < len(words) else ""
        if UNITS.get(following, 0) > 0:
            return TENS[word] + UNITS[following], index + 2
        return TENS[word], index + 1
    if word in TEENS:
        return TEENS[word], index + 1
    if word in UNITS:
        return UNITS[word], index + 1
    return None, index


def _cardinal(words: list[str], index: int) -> tuple[str, int]:
    """A number said as a cardinal, or one digit/pair when no hundred/thousand follows."""
    total = 0
    value, index = _small(words, index)
    if value is None:  # a stray "hundred"/"thousand" with nothing before it
        value = 1
    for scale_word, scale in (("hundred", 100), ("thousand", 1000)):
        if index < len(words) and words[index] == scale_word:
            index += 1
            if index < len(words) and words[index] == "and":
                index += 1
            value *= scale
            if scale == 1000:
                total, value = total + value, 0
                hundreds, index = _cardinal_below_thousand(words, index)
                value += hundreds
                break
            rest, index = _small(words, index)
            value += rest or 0
    return str(total + value), index


def _cardinal_below_thousand(words: list[str], index: int) -> tuple[int, int]:
    value, after = _small(words, index)
    if value is None:
        return 0, index
    if after < len(words) and words[after] == "hundred":
        after += 1
        if after < len(words) and words[after] == "and":
            after += 1
        rest, after = _small(words, after)
        return value * 100 + (rest or 0), after
    return value, after


def spell_digits(digits: str) -> str:
    """ "48213" -> "four eight two one three": how a digit string is read back or recognised."""
    return " ".join(DIGIT_WORDS[int(char)] for char in digits if char.isdigit())


_TEEN_WORDS = {value: word for word, value in TEENS.items()}
_TENS_WORDS = {value: word for word, value in TENS.items()}


def number_words(number: int) -> list[str]:
    """A figure as a synthesiser reads it: 27 → twenty seven, 2026 → two thousand twenty six
    (figures of a million and more are read digit by digit)."""
    if number >= 1_000_000:
        return [DIGIT_WORDS[int(d)] for d in str(number)]
    if number >= 1000:
        rest = number % 1000
        return [*number_words(number // 1000), "thousand", *(number_words(rest) if rest else [])]
    if number >= 100:
        rest = number % 100
        return [DIGIT_WORDS[number // 100], "hundred", *(number_words(rest) if rest else [])]
    if number >= 20:
        units = number % 10
        return [_TENS_WORDS[number - units], *([DIGIT_WORDS[units]] if units else [])]
    return [_TEEN_WORDS[number]] if number >= 10 else [DIGIT_WORDS[number]]
