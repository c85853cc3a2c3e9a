from __future__ import annotations

import pytest

from ivr.nlu.normalize import normalize, normalize_heard, short_forms_of


@pytest.mark.parametrize(("text", "words"), [
    ("Where's my parcel??", ["where", "is", "my", "parcel"]),
    ("wheres my parcel", ["where", "is", "my", "parcel"]),
    ("It hasn’t arrived", ["it", "has", "not", "arrived"]),
    ("I'd like to cancel, please", ["i", "would", "like", "to", "cancel"]),
    ("Um, uh, I can't find it", ["i", "can", "not", "find", "it"]),
    ("dont cancel", ["do", "not", "cancel"]),
    ("Ana's order", ["ana", "order"]),
    ("  ", []),
    ("🙂🙂", []),
    ("I mean, you know, the order", ["the", "order"]),
    ("I don't want it any more", ["i", "do", "not", "want", "it", "anymore"]),
    ("wear is my parcel", ["where", "is", "my", "parcel"]),
    ("what should I wear", ["what", "should", "i", "wear"]),
    ("Would I be able to cancel?", ["can", "i", "cancel"]),
    ("is it possible for you to send it again", ["can", "you", "send", "it", "again"]),
    ("is it possible", ["is", "it", "possible"]),
    ("I was just wondering, is it possible to get it fixed",
     ["can", "i", "get", "it", "fixed"]),
    ("You can cancel it, can't you?", ["you", "can", "cancel", "it"]),
    ("No, that isn't it", ["no", "that", "is", "not", "it"]),
    ("were is my order", ["where", "is", "my", "order"]),
    ("I paid forty pounds for it", ["i", "paid", "for", "it"]),
    ("Where's my £35 refund?", ["where", "is", "my", "refund"]),
    ("my ten percent off code", ["my", "discount", "code"]),
    ("I ordered on the third of November", ["i", "ordered"]),
    ("I ordered on 3rd Nov", ["i", "ordered"]),
    ("this is the second time", ["this", "is", "the", "second", "time"]),
    ("order four eight two one three", ["order", "four", "eight", "two", "one", "three"]),
    ("I need to cancel my wife's order", ["i", "need", "to", "cancel", "my", "order"]),
    ("it's our kids' parcel", ["it", "is", "my", "parcel"]),
    ("my son wants to return it", ["i", "want", "to", "return", "it"]),
    ("I'm ringing for my mum, she'd like to cancel",
     ["i", "would", "like", "to", "cancel"]),
    ("a present for my little sister", ["a", "present"]),
    ("he left it at the door", ["he", "left", "it", "at", "the", "door"]),
    ("my sister hasn't received it", ["i", "have", "not", "received", "it"]),
    ("my mum's not well", ["my", "mum", "not", "well"]),
    ("I would be grateful if you could check my order",
     ["can", "you", "check", "my", "order"]),
    ("I would like to know whether it has shipped", ["it", "has", "shipped"]),
    ("I wish to enquire if the boots are available",
     ["the", "boots", "are", "available"]),
    ("where is it at the minute", ["where", "is", "it", "now"]),
    ("I don't suppose I could send it back, could I?", ["can", "i", "send", "it", "back"]),
    ("I am not able to log in", ["i", "can", "not", "log", "in"]),
    ("do you except PayPal", ["do", "you", "accept", "paypal"]),
    ("its to small", ["it", "is", "too", "small"]),
    ("it reached me late", ["it", "arrived", "late"]),
    ("I didn't get you", ["i", "did", "not", "understand", "you"]),
    ("have you got it in size 9", ["have", "you", "got", "it", "in", "size", "nine"]),
    ("I'll call you back", ["i", "will", "callback"]),
    ("Can't you just cancel it?", ["can", "you", "just", "cancel", "it"]),
    ("so won't it be here today", ["so", "will", "it", "be", "here", "today"]),
    ("why haven't I got my refund", ["why", "have", "not", "i", "got", "my", "refund"]),
    ("don't you cancel it", ["do", "not", "you", "cancel", "it"]),
    ("I've heard nowt", ["i", "have", "not", "heard", "anything"]),
    ("I've had nothing but trouble", ["i", "have", "had", "nothing", "but", "trouble"]),
    ("I'm after a refund", ["i", "want", "a", "refund"]),
    ("my order is on hold", ["my", "order", "is", "held", "up"]),
    ("hold on a second", ["hold", "on", "a", "second"]),
    ("I just want to know when it's coming", ["when", "it", "is", "coming"]),
    ("any chance you could check", ["you", "could", "check"]),
    ("you guys sent the wrong one", ["you", "sent", "the", "wrong", "one"]),
    ("where's my odor", ["where", "is", "my", "order"]),
    ("I want to ret- return the jumper", ["i", "want", "to", "return", "the", "jumper"]),
    ("Wh- what?", ["what"]),
    ("order 3-1-1-9-0", ["order", "3", "1", "1", "9", "0"]),
    ("Good evening, I'd like to cancel", ["i", "would", "like", "to", "cancel"]),
    ("thanks, have a good evening", ["thanks", "have", "a", "good", "evening"]),
    ("cancel it po", ["cancel", "it"]),
    ("do you deliver to a P.O. box", ["do", "you", "deliver", "to", "a", "po", "box"]),
    ("who should I talk to about my refund", ["my", "refund"]),
    ("I don't want it already", ["i", "do", "not", "want", "it", "anymore"]),
    ("I've already sent it", ["i", "have", "already", "sent", "it"]),
    ("it came already or not", ["it", "came", "yet"]),
    ("it's very very tight", ["it", "is", "very", "tight"]),
    ("I want my $25 back", ["i", "want", "my", "money", "back"]),
    ("where are my fifty quid", ["where", "are", "my", "money"]),
    ("I paid $25 for it", ["i", "paid", "for", "it"]),
    ("can someone return my call", ["can", "someone", "callback"]),
    ("if it's not too late, cancel it", ["cancel", "it"]),
    ("check my order when you get a chance", ["check", "my", "order"]),
    ("the women's boots don't fit", ["the", "boots", "do", "not", "fit"]),
    ("the kids broke it", ["the", "kids", "broke", "it"]),
    ("are you a robot? where's my parcel", ["where", "is", "my", "parcel"]),
    ("are you a robot?", ["are", "you", "a", "robot"]),
    ("I won't be home on Friday", ["i", "will", "be", "out", "on", "friday"]),
    ("it's not in the box", ["it", "is", "not", "in", "the", "box"]),
    ("I never got the e-mail", ["i", "never", "got", "the", "email"]),
    ("my parcel has vanished into thin air", ["my", "parcel", "has", "gone", "missing"]),
    ("the refund seems to be in limbo", ["the", "refund", "is", "stuck"]),
    ("knock it on the head", ["cancel", "it"]),
    ("cancel my pre-order", ["cancel", "my", "order"]),
    ("send back order 48213", ["send", "back", "order", "48213"]),
    ("sorry to bother you, but where's my parcel", ["where", "is", "my", "parcel"]),
    ("I need the whereabouts of my order", ["i", "need", "where", "is", "my", "order"]),
])
def test_normalize(text: str, words: list[str]) -> None:
    assert normalize(text) == words


def test_short_forms_of_a_pair_are_the_words_normalize_reads_as_it() -> None:
    assert {"can't", "cannot", "cant"} <= short_forms_of("can", "not")
    assert short_forms_of("it", "is") == {"it's"}
    assert "gonna" in short_forms_of("going", "to")
    assert short_forms_of("my", "order") == frozenset()


@pytest.mark.parametrize(("text", "words"), [
    ("Know, that's it. Thanks.", ["no", "that", "is", "it", "thanks"]),
    ("Okay, that's it by.", ["okay", "that", "is", "it", "bye"]),
    ("I know that's it", ["i", "know", "that", "is", "it"]),
    ("can you stand by", ["can", "you", "stand", "by"]),
])
def test_what_a_caller_said_has_its_edge_homophones_mended(text: str, words: list[str]) -> None:
    assert normalize_heard(text) == words


def test_a_template_word_is_never_mended_as_an_utterance() -> None:
    assert normalize("know") == ["know"]
