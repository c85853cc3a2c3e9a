"""Turn what a caller said (or a recogniser heard) into plain lower-case words.

Recognisers and people spell the same thing many ways ("where's", "wheres", "where is"); the
matcher compares words, so every variant is reduced to one spelling here, for templates and
utterances alike.
"""

from __future__ import annotations

import re
import unicodedata

from ivr.nlu.numbers import number_words

MAX_UTTERANCE_CHARS = 500
"""Longer input is not one caller turn (nobody says 90 words to a menu): it is not understood."""

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})

_IRREGULAR = {
    "can't": "can not", "cannot": "can not", "won't": "will not", "shan't": "shall not",
    "ain't": "is not", "let's": "let us", "y'all": "you all",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "gimme": "give me",
    "kinda": "kind of", "sorta": "sort of",
    "lemme": "let me", "dunno": "do not know", "ya": "you", "u": "you", "ur": "your",
    # Northern English.
    "nowt": "nothing", "owt": "anything", "summat": "something",
    # Geordie, and Jamaican Creole's negator.
    "divvent": "do not", "nuh": "not",
    # Scots and Irish English: "youse" is the plural "you", "wee" is little.
    "youse": "you", "wee": "little",
    "pls": "please", "plz": "please", "thx": "thanks", "ok": "okay", "k": "okay",
    # Recognisers and hurried typists drop the apostrophe.
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "cant": "can not",
    "wont": "will not", "isnt": "is not", "wasnt": "was not", "hasnt": "has not",
    "havent": "have not", "hadnt": "had not", "arent": "are not", "werent": "were not",
    "couldnt": "could not", "wouldnt": "would not", "shouldnt": "should not",
    "wheres": "where is", "whats": "what is", "thats": "that is", "hows": "how is",
    "whens": "when is", "theres": "there is", "im": "i am", "ive": "i have", "youre": "you are",
    "theyre": "they are", "itll": "it will", "id've": "i would have",
}

_SUFFIXES = (("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"),
             ("'d", " would"), ("'m", " am"))

_IS_CONTRACTIONS = {"it", "that", "what", "where", "there", "here", "who", "how", "when",
                    "he", "she", "this", "why", "which"}


def _expand_word(word: str) -> list[str]:
    """One written word as the words it stands for ("can't" → "can not", "where's" → "where
    is"), defined before the tables below that are derived from it."""
    if word in _IRREGULAR:
        return _IRREGULAR[word].split()
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return [word[: -len(suffix)], *replacement.split()]
    if word.endswith("'s"):
        stem = word[:-2]
        return [stem, "is"] if stem in _IS_CONTRACTIONS else [stem]
    return [word.replace("'", "")] if word else []


FILLERS = frozenset({
    "um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mmm",
    "please", "kindly", "possibly", "ngl", "tbh", "lowkey", "literally", "heaps",
})
"""Words that never carry meaning for the bot; dropped before matching."""

_GREETING_DOES_NOT_END_BEFORE = "with|on|about|to|going|gonna|planning|supposed|meant|able|not"
"""Words after "how are you" or "what's the story" that make it a question about something
("how are you going to fix this", "what's the story with my order"), not a greeting."""

_FILLER_PHRASES = ("(?:if )?(?:you )?know what i mean", "you know", "i mean", "kind of", "sort of",
                   "i was wondering", "i am wondering", "i was just wondering", "i wonder if",
                   "i wonder whether", "i was hoping", "to be honest", "to be fair",
                   *(f"i {wanting} to {asking} {whether}"
                     for wanting in ("want", "would like", "wish")
                     for asking in ("know", "ask", "enquire", "inquire")
                     for whether in ("whether", "if")),
                   *(f"i (?:just )?{wanting} to know(?= (?:when|what|why|how|who|which)\\b)"
                     for wanting in ("want", "would like", "need")),
                   "is there any chance(?: that)?", "any chance(?: that)?",
                   r"(?<!\ba )good (?:morning|afternoon|evening)", r"po(?! box)",
                   *(f"{greeting}(?! (?:{_GREETING_DOES_NOT_END_BEFORE})\\b)"
                     for greeting in (
                       "how are (?:you|ya|u)(?: (?:doing|keeping|getting on))?(?: today)?",
                       "how is it going", "how are things", "how is the form",
                       "what is (?:the craic|the story|up)")),
                   "who (?:do|should|can|could) i (?:speak|talk) to (?:about|regarding)",
                   "if it is not too late(?: to)?",
                   "when you get (?:this|a chance|the chance|a moment|a minute)",
                   "are you (?:a |an )?(?:real person|person|human|robot|bot|machine|computer)"
                   "(?: or (?:a |an )?(?:real person|person|human|robot|bot|machine|computer))?"
                   r"(?= [a-z])", "sorry to (?:bother|trouble) you(?: but)?",
                   "sorry to be a pain(?: but)?", "sorry but",
                   "you (?:were|have been|used to be|are usually|are normally|have always been)"
                   " (?:(?:so|really|always|very|usually) )?(?:great|brilliant|good|fantastic|"
                   "amazing|excellent|helpful|quick|lovely|wonderful|spot on)"
                   "(?: (?:before|last time|in the past|until now|normally|usually|every time))?"
                   "(?: and all)? but(?: now)?",
                   "right now", "straight away", "as soon as possible", "asap",
                   "as (?:quick|quickly|fast) as (?:possible|you can)",
                   "if (?:that is|it is) (?:okay|alright|all right|fine|possible)",
                   "(?<!grateful )(?<!appreciate it )"
                   "if (?:you can|you could|possible|you do not mind)",
                   "quick question",
                   "(?:can|do) you hear me(?: (?:okay|alright|all right))?(?= [a-z])",
                   "i (?:have )?(?:only )?(?:got|have) "
                   "(?:a minute|a second|a moment|a few minutes)",
                   "i am in a (?:hurry|rush)",
                   "i am (?:worried|concerned|afraid|scared)(?: that)?"
                   "(?= (?:my|the|it|i|you|they|he|she|someone)\\b)",
                   "i am (?:calling|ringing|phoning)(?: you)? because",
                   "^(?:okay|alright|right) so(?= [a-z])",
                   "^(?:listen|look)(?! (?:to|at|for|out|into|after|like|up)\\b)(?= [a-z])",
                   *(f"(?<=\\b{asking} )(?:the (?:bloody )?(?:hell|heck|devil|dickens|blazes)|"
                     "on earth|in the world)(?= [a-z])"
                     for asking in ("where", "what", "why", "how", "who", "when", "which")))
"""Phrases that pad a request ("you know", "to be honest") or only wrap a question ("I would like to
know whether my order has shipped", "I wish to enquire if the boots are available", "I just want to
know when it's coming", "any chance you could check"): what is asked is the same without them. A
greeting ("good afternoon, I need to exchange some trainers", "hi, how are you doing", Irish "what's
the craic") is no part of the request, unless it is a wish ("have a good evening") or asks about
something ("what's the story with my order"); nor is the "po" of Filipino English's courtesy
("cancel po"), unless it is a P.O. box; nor "who do I speak to about", which asks the bot what it is
there to answer ("who do I speak to about returning something"); nor "if it's not too late", a hedge
whose "not" would negate the request; nor "when you get a chance", which only says when; nor asking
whether the bot is a person when the request follows ("are you a robot? my parcel's gone missing");
nor an apology for calling ("sorry to bother you, but"), which would be asking the bot to repeat
itself; nor praise before the problem ("you were great last time, but now I want to complain"),
which only softens it; nor how soon or how politely it is asked ("right now", "as soon as possible",
"if that's okay", "if you can"), nor the openings that only announce it ("quick question", "I'm
calling because", "okay so", "listen", "can you hear me"), nor "you know what I mean", nor how
little time the caller has ("quickly, I've only got a minute"), nor the worry a question is asked
with ("I'm worried my order never went through"), nor the oath that stresses it ("where the
hell is my parcel", "what on earth is going on with my order")."""

_THEIR_BUSINESS_JOINED = {"tax return": "taxreturn", "tax returns": "taxreturns",
                          "tax refund": "taxrefund", "stock cube": "stockcube",
                          "stock cubes": "stockcubes"}
THEIR_BUSINESS = frozenset(_THEIR_BUSINESS_JOINED.values())
"""The words _JOINED makes of a shop's words said in someone else's sense (a tax refund, a stock
cube): an utterance with one is about that, not an order ("I'm waiting on a tax refund")."""

_JOINED = {"any longer": "anymore", "at the moment": "now",
           "at the minute": "now", "at present": "now", "p o box": "po box",
           "p o boxes": "po boxes", "e mail": "email", "e mails": "emails",
           "coffee machine": "coffeemaker", "coffee maker": "coffeemaker",
           "duvet cover": "duvetcover", "duvet covers": "duvetcover",
           "after pay": "afterpay", "pay pal": "paypal",
           **{f"{pet} {thing}": f"{pet}{thing}"
              for pet, thing in (("cat", "tree"), ("cat", "bed"), ("dog", "bed"))},
           "high chair": "highchair", "board game": "boardgame", "board games": "boardgames",
           "knife set": "knifeset", "knife sets": "knifesets",
           "espresso machine": "coffeemaker",
           **{f"new {year} {day}": "newyear"
              for year in ("year", "years") for day in ("day", "eve")},
           "christmas day": "christmas", "christmas eve": "christmas", "boxing day": "boxingday",
           **_THEIR_BUSINESS_JOINED,
           "roof box": "roofbox", "dash cam": "dashcam", "paddling pool": "paddlingpool",
           "sun lounger": "lounger", "sun loungers": "loungers",
           "car seat": "carseat", "car seats": "carseats",
           **{f"size {letter}": letter for letter in ("small", "medium", "large", "extra large")},
           "pre order": "order", "pre ordered": "ordered", "pre orders": "orders",
           "on back order": "on backorder",
           **{f"{call} {whose} call": "callback" for call in ("return", "returned", "returning")
              for whose in ("my", "the", "your", "our", "this")},
           **{f"{call} {whom}back": "callback" for call in ("call", "ring", "phone")
              for whom in ("", "you ", "me ", "them ", "us ")}}
"""Phrases that say one word ("any longer", "at the minute", "I'll call you back", "I'll ring back
later", a P.O. box), read as that word so that every spelling is one word to the matcher (and "back"
in a call back is no return's or restock's, nor "return" in "please return my call"); a pre-order is
an order to the bot, and "after pay" or "pay pal" the ways to pay; a coffee machine, a cat tree, a
dog bed, a high chair and a board game are among the things callers name (a "machine" alone is the
bot they are talking to); a tax return or refund is the tax office's, never the shop's; New Year's
Day, Christmas Eve and Boxing Day are the holidays, not any new day; a stock cube is cooking's,
no stock of the shop's; a roof box, a dash cam, a paddling pool and a car seat are things, not a
box, a camera, a pool or a car's seat; "size medium" is the medium, a size said by its name,
with no number the word "size" would announce."""

_MISHEARD = {"wear is": "where is", "wear are": "where are", "wears my": "where is my",
             "whereas my": "where is my",
             "were is": "where is", "were are": "where are",
             "par cell": "parcel", "i will not a": "i want a", "i will not to": "i want to",
             "you except": "you accept",
             "my odor": "my order", "my odour": "my order", "my orda": "my order",
             "delivery a dress": "delivery address", "shipping a dress": "shipping address",
             "war and tea": "warranty", "warrant tea": "warranty",
             **{f"{asking} wear": f"{asking} where"
                for asking in ("out", "know", "wondering", "tell me", "see", "check", "asking")},
             **{f"{wanting} too": f"{wanting} to"
                for wanting in ("want", "wants", "need", "needs", "like", "going", "trying")},
             **{f"{before} no{after}": f"{before} know{after}"
                for before in ("to", "do not", "did not", "i")
                for after in (" about", " if", " when", " where", " what", " how", " whether")},
             **{f"{being} to {size}": f"{meant} too {size}"
                for being, meant in (("is", "is"), ("are", "are"), ("was", "was"),
                                     ("were", "were"), ("its", "it is"), ("there", "they are"),
                                     ("their", "they are"))
                for size in ("small", "big", "large", "tight", "loose", "short", "long",
                             "narrow", "wide")}}
"""A recogniser's homophones and split words, mended where nothing else could be meant ("wear is
my parcel", "were is my order", "my par cell", "I wont a refund": no one says "I will not a";
"do you except PayPal", "its to small", "where's my odor", "my delivery a dress", "what's your
war and tea", "find out wear my parcel is", "I want too know", "she wants to no about her
order", "there to big")."""

_IDIOMS = {"did not get you": "did not understand you", "do not get you": "do not understand you",
           "answer the phone": "answer calls", "answer the phones": "answer calls",
           "answering the phone": "answering calls", "answering the phones": "answering calls",
           "reached me": "arrived", "reached us": "arrived", "reached here": "arrived",
           "hand back": "return", "hand it back": "return it", "hand them back": "return them",
           "how long have i got": "how long do i have",
           "how long have we got": "how long do we have",
           "arvo": "afternoon", "sweet as": "lovely", "the lot": "everything",
           "the whole lot": "everything", "on hold": "held up", "slow down": "more slowly",
           "i am after": "i want",
           **{f"{we_are} after {doing}": f"{we_have} {done}"
              for we_are, we_have in (("i am", "i have"), ("we are", "we have"))
              for doing, done in (("ordering", "ordered"), ("sending", "sent"),
                                  ("buying", "bought"),
                                  ("posting", "posted"), ("paying", "paid"),
                                  ("getting", "got"), ("cancelling", "cancelled"),
                                  ("receiving", "received"), ("calling", "called"),
                                  ("ringing", "called"), ("phoning", "called"))},
           "any word on": "any news on", "any word of": "any news on",
           "fixing to": "about to", "sure thing": "sure", "i am needing": "i need",
           **{f"scratch {which} order": f"cancel {which} order" for which in ("the", "my", "that")},
           **{f"{mail} {back}": f"{send} {back}"
              for mail, send in (("mailed", "sent"), ("mail", "send"))
              for back in ("back", "it back", "them back")},
           "bit by bit": "in instalments", "a bit at a time": "in instalments",
           **{f"less {where}": f"cheaper {where}"
              for where in ("in", "at", "on", "elsewhere", "somewhere else", "online")},
           "i was told": "you said", "we were told": "you said",
           "right enough": "indeed", "too little": "too small",
           "put me on to": "put me through to", "put me onto": "put me through to",
           **{f"one of {the} {people}": "someone"
              for the in ("the", "your")
              for people in ("ladies", "girls", "lads", "guys", "staff", "team", "agents",
                             "advisors", "advisers", "people in the office")},
           **{f"you send me the {size}": f"i have the {size}"
              for size in ("large", "medium", "small", "bigger one", "smaller one", "next size")},
           **{f"{must} speak up": "louder" for must in ("you will have to", "you have to",
                                                         "can you", "could you", "please")},
           "delivery man": "deliveryman", "delivery guy": "deliveryman",
           "delivery men": "deliveryman", "let me down": "disappointed me",
           "been let down": "been disappointed", "feel let down": "feel disappointed",
           "you guys": "you", "you lot": "you", "you all": "you",
           "run that by me again": "say that again", "run it by me again": "say it again",
           "go through that again": "say that again", "go through it again": "say it again",
           "i ring you": "i call you", "i ring your": "i call your", "to ring you": "to call you",
           **{f"{who} not {be}{where}": f"{who} {be}out"
              for who, be in (("i am", ""), ("we are", ""), ("i will", "be "), ("we will", "be "))
              for where in ("in", "home", "at home", "around")},
           **{f"{went} {where}": "gone missing"
              for went in ("gone", "has gone", "vanished", "disappeared")
              for where in ("walkabout", "awol", "into thin air", "off the radar")},
           "vanished": "gone missing", "disappeared": "gone missing", "in limbo": "stuck",
           "seems to be": "is", "seem to be": "are",
           **{f"gone off {what}": "changed my mind"
              for what in ("it", "them", "the idea", "the colour", "the color", "the pattern",
                           "the style", "the design", "the look of it")},
           "if i changed my mind": "if i change my mind", "the state of play": "the status",
           **{f"{who} in charge": "a manager"
              for who in ("whoever is", "whoever", "the person", "someone", "somebody")},
           "reimbursement": "refund", "reimbursed": "refunded", "reimburse": "refund",
           # What speakers of French or Spanish carry over: "annuler", "réclamation",
           # "devolución", "ma commande"; and German's "bekommen", to get.
           "annul": "cancel", "annulate": "cancel", "annulled": "cancelled",
           "reclamation": "complaint", "devolution": "refund",
           **{f"{whose} command": f"{whose} order" for whose in ("my", "the", "this", "our")},
           **{f"become {whose}": f"get {whose}" for whose in ("my", "our")},
           **{f"for {new} {customers}": "for my first order"
              for new in ("new", "first time") for customers in ("customers", "buyers")},
           "enquire": "ask", "inquire": "ask", "enquiring": "asking", "inquiring": "asking",
           **{f"{has} gone down in price": "went down in price" for has in ("has", "is")},
           "stuck in the same place": "stuck", "sat in the same place": "stuck",
           "stops working": "breaks", "from my end": "from me", "on my end": "from me",
           "fuming": "furious", "livid": "furious",
           "seething": "furious", "in my basket": "in my order", "in my cart": "in my order",
           "we need to": "i need to", "we want to": "i want to",
           "we would like to": "i would like to",
           "is not fitting": "does not fit", "are not fitting": "do not fit",
           "but it is not mine": "but it is someone else's",
           **{f"not what {we} {need}": "unsuitable" for we in ("i", "we")
              for need in ("need", "needed", "want", "wanted")},
           **{f"{sent} the wrong {what}": f"{sent} the wrong item"
              for sent in ("sent me", "been sent", "you sent", "they sent", "was sent")
              for what in ("size", "colour", "color", "model")},
           "dosh": "money", "ever so much": "so much", "at my wits end": "fed up",
           "any joy with": "any news on", "any joy on": "any news on", "any sign of": "any news on",
           "a return to do": "a return to make", "returns to do": "returns to make",
           **{f"knock {what} on the head": f"cancel {what}"
              for what in ("it", "that", "the order", "my order")},
           "the whereabouts of": "where is", "bare long": "very long",
           "i demand to": "i want to", "i demand my": "i want my",
           "very very": "very", "really really": "really", "already or not": "yet",
           "reach already or not": "arrived yet", "reach already": "arrived already",
           "not reach": "not arrived", "not reached": "not arrived",
           "over the phone": "by telephone", "log a complaint": "make a complaint",
           **{f"{have} the {least}{idea}": "have no idea"
              for have in ("have not", "have not got", "do not have", "had not")
              for least in ("foggiest", "faintest", "slightest", "remotest")
              for idea in ("", " idea", " clue")},
           **{f"{get} paid back": f"{get} refunded" for get in ("get", "be", "been")},
           **{f"{a_bit} snug": f"{a_bit} too tight"
              for a_bit in ("a bit", "a little", "quite", "rather", "very", "really")},
           **{f"{it_is} {tight}": f"{it_is} too {tight}"
              for it_is in ("it is", "they are", "it was", "they were")
              for tight in ("tight", "loose")},
           **{f"what {has}happened to my refund": "where is my refund" for has in ("", "has ")},
           "on the step": "on the doorstep", "on my step": "on my doorstep",
           **{f"{money} {has}been put back": f"{money} {has}been refunded"
              for money in ("money", "refund", "cash") for has in ("", "has ", "have ")},
           "two different sizes": "mismatched", "odd sizes": "mismatched",
           **{f"the {older} {of_mine}": f"{meaning} order"
              for older, meaning in (("older", "my previous"), ("oldest", "my previous"),
                                     ("newer", "my latest"))
              for of_mine in ("order", "of my orders", "of my two orders", "of the two orders")},
           **{f"{we} {have}left {whose}": f"{we} {have}mislaid {whose}"
              for we in ("i", "we") for have in ("", "have ") for whose in ("my", "our", "the")}}
"""What some callers say for what the grammar says another way ("I didn't get you" is not
understanding the bot; someone "to answer the phone" answers calls, no phone sold; "it reached me
late", Indian English, is arriving; "hand it back" is returning it; "how long have I got" is how
long I have; "cancel the lot" is everything; an order "on hold" is held up, while "hold on" is only
waiting; "slow down and say it again" is saying it more slowly; "this arvo" and "sweet as", in
Australia and New Zealand, are this afternoon and lovely; "I'm after a refund", in the north of
England and in Ireland, is wanting one, while Irish "I'm after ordering" is having just ordered;
"any word on" a refund asks for news of it; paying "bit by bit" is paying in instalments, and
what is "less in another shop" is cheaper there; what "I was told" is what the shop said;
Scots "right enough" is indeed, and what is "too wee" too small; to "put me on to one of the
ladies" is to put me through to someone; Southern American "fixing to" is about to, "scratch the
order" cancelling it, "sure thing" sure, and what was "mailed back" sent back; "I'm needing" is
"I need"; "can you send me the large" is asking to have it; asking
the bot to "speak up" is asking it to be louder, with no one else to speak to; the company as "you
guys", "you lot" or "y'all" is "you"; "run that by me again" is saying it again; "I'm not in" or
"not home" is out, as a courier finds the caller; a parcel "gone walkabout" or "vanished into thin
air" is missing, what "seems to be" stuck is; a "reimbursement" is a refund and "dosh" money; to
"enquire" is to ask; a price that "has gone down" went down, a parcel "stuck in the same place" is
stuck, what "stops working" breaks, "that's it from my end" is from me (no end the caller goes to),
and the wrong size "sent" is the wrong item, the shop's mistake (one the caller chose is a return);
a discount "for new customers" is one for a first order; a caller "fuming" or "livid" is furious,
what was "in my basket" was in the order, what "we need to" do the caller needs to, what is "not
what we need" is unsuitable, what is "not fitting" does not fit, and a parcel "not mine" is someone
else's; a French speaker's "annul my command" is cancelling the order and "reclamation" a complaint,
a Spanish speaker's "devolution" a refund, and a German speaker's "when do I become my parcel"
getting it; "knock it on the head" is cancelling it, and "I've gone off it" changing one's mind; "at
my wits' end" is fed up; "any joy with my parcel", in Britain, is any news of it, and a return "to
do" one to make; "the whereabouts of" is where, "bare long", in London, very long, and "I demand to"
wanting to; "very very late" is very late; Singapore and Malaysian English's "can cancel or not"
questions end "already or not" for "yet", and "reach" there is arriving, as in the Caribbean's "mi
refund nuh reach"; paying "over the phone" is paying by telephone, not an item called a phone; "I
haven't the foggiest" is having no idea; money "put back" is refunded, and to "get paid back" to get
refunded; what is "a bit snug" is a bit too tight (a "snug fit" alone is praise), and what "is
tight" is too tight on the caller; "what happened to my refund" asks where it is; what is left "on
the step" is on the doorstep; to "log a complaint" is to make one, while logging in is no complaint;
being "let down" is being disappointed, and "delivery men" are the courier; "any sign of" a refund
asks for news of it, "go through that again" is saying it again, and to "ring you" is to call the
shop, while "the ring you sent" stays a ring; what "I left" somewhere is mislaid, not what a shop
has left in stock; a pair in "two different sizes" is mismatched, the shop's mistake, not a size to
change; "the older of my two orders" is the previous one, while an "older brother" has nothing to do
with an order; "if I changed my mind" asks what "if I change my mind" does; "the state of play" is
the status, and "whoever's in charge" a manager)."""

_PREFERENCE = {"would rather not": "do not want to", "would prefer not to": "do not want to",
               **{f"would {rather} {verb}": f"want to {verb}"
                  for rather in ("rather", "prefer to", "sooner")
                  for verb in ("cancel", "return", "send", "swap", "exchange", "change", "speak",
                               "talk", "keep", "wait")}}
_THAN_THE_OTHER = re.compile(
    r"(\bwould (?:rather|prefer|sooner)\b(?:(?!\bthan\b).)*?) than\b"
    r"(?: (?!(?:i|we|you|it|and|but|so|because|cause)\b)[a-z]+)*")
"""A preference ("I'd rather cancel than wait another week", "I'd rather have my money back than a
voucher, I'm returning it") is what the caller wants: the thing preferred is wanted, and what it
is preferred to goes, up to the next clause's subject. Only before a verb of a request is the
preference read as wanting: "I'd rather have it in black" asks for an exchange, and "I'd rather
it went to my daughter's" for another address, as the grammar's own sentences say them."""

_HAD_NOTHING = re.compile(
    r"\b(have|has|had|and) (heard|had|got|received|seen) nothing\b(?! but\b)")
"""Nothing said as the object ("I've heard nothing", "I've had nowt", "I ordered it and heard
nothing since"): not having had anything, as the grammar says it; "I've had nothing but trouble"
is a complaint, and stays as it is."""

_MISHEARD_AT_THE_EDGES = ((re.compile(r"^know\b"), "no"),
                          (re.compile(r"^wear(?= (?:is|are|my|the|did|does|has|have)\b)"),
                           "where"),
                          (re.compile(r"\bere(?= (?:is|are|my|the|did|does|has|have)\b)"),
                           "where"),
                          (re.compile(r"\bow(?= (?:long|much|many|do|does|can)\b)"), "how"),
                          (re.compile(r"\b(it|that|thanks|you|okay|right|cheers|all|then) by$"),
                           r"\1 bye"))
"""Homophones Whisper writes where only one word can stand: "Know, that's it." (no sentence
starts with the verb), "Wear my parcel?" (nor with the other verb before a subject), "that's
it by" (nothing ends on the preposition there), and a question word whose "h" or "wh" was clipped
("'ere's my order?", "so 'ow long does it take"), which no English word sounds like there."""

_DOING = {"putting": "put", "changing": "change", "checking": "check", "sending": "send",
          "cancelling": "cancel", "canceling": "cancel", "transferring": "transfer",
          "connecting": "connect", "telling": "tell", "giving": "give", "looking": "look",
          "swapping": "swap", "exchanging": "exchange", "arranging": "arrange",
          "updating": "update", "passing": "pass", "getting": "get", "finding": "find",
          "processing": "process", "tracking": "track", "repeating": "repeat",
          "saying": "say", "explaining": "explain"}
"""The verbs of a request asked as "would you mind ...ing", with the form "can you" takes."""
_ABLE_TO = {"would i be able to": "can i", "will i be able to": "can i", "am i able to": "can i",
            "would you be able to": "can you", "will you be able to": "can you",
            "are you able to": "can you", "is it possible for me to": "can i",
            "would it be possible for me to": "can i", "is it possible for you to": "can you",
            "would it be possible for you to": "can you", "is it possible to": "can i",
            "would it be possible to": "can i", "would it be at all possible to": "can i",
            "is it at all possible to": "can i", "i might be able to": "can i",
            "might i be able to": "can i", "could i possibly": "can i",
            **{f"i {would} {grateful} if you {could}": "can you"
               for would in ("would", "should") for grateful in ("be grateful", "be obliged")
               for could in ("could", "would")},
            "i would appreciate it if you could": "can you",
            "i would be grateful if i could": "can i", "i do not suppose i could": "can i",
            "i do not suppose i can": "can i", "i do not suppose you could": "can you",
            "i do not suppose you can": "can you", "i am not able to": "i can not",
            "i was not able to": "i could not", "we are not able to": "we can not",
            **{f"{would} you mind if i": "can i" for would in ("would", "do")},
            **{f"{would} you mind {doing}": f"can you {do}" for would in ("would", "do")
               for doing, do in _DOING.items()}}
"""Roundabout ways of asking "can I" and "can you" ("would I be able to cancel", "is it possible
to get it fixed", "I would be grateful if you could check", "I don't suppose I could"), read as
the plain question, and "I am not able to" as "I can not", so that every sentence asked one way
is asked every way; "I should be grateful" is the older British "I would be grateful", and
"would you mind putting me through" is "can you put me through"."""

_TAG_QUESTION = re.compile(
    r",\s*(?:isn't|aren't|wasn't|weren't|don't|doesn't|didn't|can't|couldn't|won't|wouldn't|"
    r"haven't|hasn't|hadn't|shouldn't|shan't|ain't|is|are|was|do|does|did|can|could|will|"
    r"would|have|has|should)\s+(?:it|you|they|i|we|he|she|there|that)\W*$")
"""A tag question after a comma at the end ("you can cancel it, can't you?", "I don't suppose I
could send it back, could I?"): it asks for agreement and says nothing of its own, and a
negative one goes before its "not" can reach a word. The comma tells it from a sentence that
ends the same way ("that isn't it")."""

_ASKED_BY_THE_TAG = {"couldn't": "could", "can't": "can", "wouldn't": "would",
                     "haven't got": "have got", "don't have": "do have"}
_OPENINGS = ("oh", "um", "er", "so", "well", "hi", "hiya", "hey", "hello", "sorry", "right",
             "listen", "look", "basically", "okay", "ok", "yeah", "and", "but", "now", "quick",
             "question")
_NEGATIVE_STATEMENT_WITH_TAG = re.compile(
    rf"((?:^|[.?!,])\W*(?:(?:{'|'.join(_OPENINGS)})\W+)*)you\s+"
    rf"({'|'.join(_ASKED_BY_THE_TAG)})\s+([^.?!,]+?),\s*(could|can|would|have|do)\s+you"
    r"(?=(?:\W+[a-z']+){0,4}\W*$)")
"""A request put as a negative statement with a hopeful tag ("you couldn't cancel it for me, could
you", "you haven't got the scarf in, have you"): the caller asks the plain question ("could you
cancel it", "have you got the scarf in"), so the "not" must not negate the request. Only with
"you", a tag that matches the verb, and verbs that ask for something: "you haven't cancelled it,
have you" fears what "have you cancelled it" would ask for, and keeps its "not", as "you don't
have to cancel it, do you" does. What the shop "hasn't got in" is what it hasn't in stock."""


def _asked_plainly(found: re.Match[str]) -> str:
    """The question a negative statement with its matching tag asks, or the text unchanged."""
    lead, negated, request, tag = found.groups()
    verb, *rest = _ASKED_BY_THE_TAG[negated].split()
    if verb != tag or request.startswith("to "):
        return found.group()
    if tag == "have" and request.endswith(" in"):
        request += " stock"
    return " ".join([f"{lead}{tag} you", *rest, request])


_ASKED_PLAINLY = {negated: _expand_word(negated)[0]
                  for negated in ("can't", "cannot", "couldn't", "won't", "wouldn't", "hasn't",
                                  "haven't", "isn't", "aren't", "wasn't", "weren't")}
_NEGATIVE_QUESTION = re.compile(
    r"(^|[,.;:!?]\s*|\b(?:so|but|and|well|then|oh|just|basically|actually|okay)\s+)"
    rf"({'|'.join(_ASKED_PLAINLY)})\s+"
    r"(?=(?:i|you|we|it|they|he|she|my|our|the|this|that|there)\b)")
"""A question asked with its verb negated ("can't you just cancel it", "hasn't the parcel been
sent yet", "won't it be here today"): it asks for the same as the plain question, and its "not"
would otherwise negate the request. Only at the start of a sentence, where the verb comes before
its subject, so "that isn't it" stays a no; not "don't", "doesn't" or "didn't", which also start
orders and questions about what was done ("don't you cancel it", "didn't you cancel it"), and
not after "why", which asks why it is not so ("why haven't I got my refund")."""

PEOPLE = frozenset({
    "mum", "mom", "mam", "mother", "dad", "father", "wife", "husband", "partner", "son",
    "daughter", "sister", "brother", "nan", "nana", "gran", "granny", "grandma", "grandmother",
    "grandad", "granddad", "grandpa", "grandfather", "grandson", "granddaughter", "aunt",
    "auntie", "uncle", "niece", "nephew", "cousin", "friend", "boyfriend", "girlfriend",
    "fiance", "fiancee", "neighbour", "neighbor", "boss", "colleague", "kid", "child",
    "parents", "kids", "children"})
"""The people a caller rings for ("my mum ordered it", "my son's parcel"): what they ordered is
the caller's business on the call."""
_PERSON = (r"(?:(?:little|big|older|younger|elder|best|eldest) )?(?:"
           + "|".join(sorted(PEOPLE)) + ")")
_DOING_AFTER_IS = ("lending|sending|bringing|getting|waiting|asking|moving|staying|using|picking|"
                   "collecting")
"""Participles after which a noun's "'s" is "is" ("my son's lending me his", "the vet's
waiting"), not a possessive."""
_SOMEONES = re.compile(
    rf"\b(?:my|our|his|her|your|the) {_PERSON}(?:'s|s')(?=\s)(?!\s+(?:not|been|going|got|gone|"
    rf"just|still|very|so|really|here|there|away|out|home|in|at|on|ill|poorly|sick|well|unwell|"
    rf"instead|because|while|and|but|for|{_DOING_AFTER_IS})\b)")
"""Someone else's thing said as the caller's ("my wife's order" is "my order"): the person
adds a word no sentence of the grammar has, and the request is the same. Not where "'s" is
"is" ("my mum's not well", "my son's away"), nor where the thing goes unsaid because it is
their home ("send it to my daughter's instead")."""
_FOR_SOMEONE = re.compile(
    rf"\b(?:(?:i am |i )?(?:calling|ringing|phoning) )?(?:for|on behalf of) (?:my|our) "
    rf"{_PERSON}\b")
"""Whom the caller rings or buys for ("I'm ringing for my mum", "a present for my son"): it
tells the bot nothing it acts on."""
_FIRST_PERSON = {"wants": "i want", "needs": "i need", "would like": "i would like",
                 "is hoping": "i am hoping", "has not received": "i have not received",
                 "has not got": "i have not got", "has never received": "i have never received",
                 "never received": "i never received", "never got": "i never got",
                 "did not receive": "i did not receive", "did not get": "i did not get",
                 **{f"{says} i should": "i want to"
                    for says in ("says", "said", "thinks", "reckons", "told me")}}
_SOMEONE_WANTS = re.compile(
    rf"\b(?:he|she|(?:my|our|me) {_PERSON}) ("
    rf"{'|'.join(sorted(_FIRST_PERSON, key=len, reverse=True))})\b")
"""A request made for someone else ("he wants to cancel his order", "my mum would like to
return it"), one someone told the caller to make ("my grandson says I should return it"), or a
gift that has not reached them ("my sister hasn't received it"), read as the caller's, who asks
it of us on their behalf ("me husband", in Ireland and the north of England, is "my husband").
Only wanting, being told to and not receiving: "he left it at the door" is the courier."""
_CAN_SOMEONE = re.compile(rf"\b(can|could) (?:my|our) {_PERSON}\b")
"""Whether someone the caller acts for may do something ("can my grandson pay with his card"):
the caller asks it for them, as "can I"."""

_NUMBER = (r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
           r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
           r"sixty|seventy|eighty|ninety|hundred|thousand)")
_AMOUNT = rf"{_NUMBER}(?: (?:and )?{_NUMBER})*"
_ORDINAL = (r"(?:\d+(?:st|nd|rd|th)|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
            r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|"
            r"eighteenth|nineteenth|twentieth|twenty (?:first|second|third|fourth|fifth|sixth|"
            r"seventh|eighth|ninth)|thirtieth|thirty first)")
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|"
          r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)")
_DAY = rf"(?:first|second|{_ORDINAL})"
"""A day of a month: "first" and "second" only next to a month ("the second time" is no date)."""
_SAYS_NOTHING = re.compile(
    rf"\b(?:{_AMOUNT} (?:pounds?|quid|dollars?|bucks|euros?|pence|cents?|percent|per cent)|"
    rf"(?:on )?(?:the )?(?:{_DAY}(?: of)? {_MONTH}|{_MONTH} (?:the )?{_DAY})|on the {_ORDINAL}|"
    r"the \d+(?:st|nd|rd|th)(?! (?:time|floor|one|item|order|parcel|call|attempt)\b))\b")
"""Amounts of money and dates ("I paid forty pounds", "on the third of November", "3rd Nov",
"it was due the 3rd and it's the 9th now", as Whisper writes a day):
they tell the bot nothing about what the caller wants, and their words would only make every
sentence fit less well. "Ten percent off" is a discount, so "percent off" is read as one."""
_PERCENT_OFF = re.compile(rf"\b{_AMOUNT} (?:percent|per cent) off\b")
_MONEY_AND_MONTHS = frozenset({
    "pound", "pounds", "quid", "dollar", "dollars", "bucks", "euro", "euros", "pence", "cent",
    "cents", "percent", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec"})
"""The words without which no amount or date is said: the regex runs only when one is there."""
_ORDINAL_WORD = re.compile(rf"{_ORDINAL}$")
_PRICE = re.compile(r"[£$€]\s*\d+(?:[.,]\d+)?")
"""A price written with its symbol ("£40", "$9.99"), as Whisper writes one."""
_MY_MONEY = re.compile(
    rf"\bmy (?:{_PRICE.pattern}|{_AMOUNT} (?:pounds?|quid|dollars?|bucks|euros?))"
    r"(?![\d.,]|\s*(?:refund|order|purchase|item|credit|voucher|gift|payment|parcel|delivery|return))")
"""An amount that is the caller's ("where's my £40", "I want my forty pounds back"): their
money, whatever the sum, unless it only says which thing of theirs ("my £35 refund"); other
amounts say nothing (_SAYS_NOTHING)."""

_LETTER_O_IN_A_NUMBER = re.compile(r"\b(?=[\do]*\d[\do]*\d)[\do]*o[\do]*\b")
"""A number with the letter "o" for a zero ("order 4o725", as a recogniser writes "four oh seven
two five" run together): the zero; only among two or more digits, so "o2" or "oo" stay words."""

_SPELLED = re.compile(r"\b[a-z](?:-[a-z]){2,}\b")
"""A word spelled out letter by letter as recognisers write it ("P-A-Y-P-A-L"): the word."""
_STAMMER = re.compile(r"\b([a-z]{1,3})-(?:\1-)*(?=\1)")
"""A word begun once or more before it is said, as recognisers write a stammer ("c-c-cancel",
"I w-want", "wh-where"): only the word counts, not its broken-off starts. Read after the sounds
of assent and dissent, which look like one ("uh-uh" is no)."""
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)")
"""What a transcript writes in brackets ("[inaudible]", "(laughs)", "[coughs]"): a sound or a
gap, never the caller's words."""

_IS_BEFORE_A_STATE = re.compile(
    r"\b(?!let's)([a-z]+)'s (?=(?:missing|broken|damaged|faulty|cracked|ripped|torn|leaking|"
    r"stuck|late|running|coming|going|not|still|been|gone|too|a bit|supposed|meant|due|"
    rf"arrived|{_DOING_AFTER_IS})\b)")
"""A noun's "'s" before what it is or is doing ("the cot's missing a side", "the vet's running
late"): "is", as it is after a pronoun, not the possessive the noun's "'s" otherwise is."""

_SOUNDS_OF_ASSENT = ((re.compile(r"\b(?:m+[- ]?hm+|mhm+|uh[- ]?huh)\b"), " yes "),
                     (re.compile(r"\buh-uh\b"), " no "))
"""The sounds that answer yes or no ("mm-hmm", "uh-huh"; "uh-uh"): whole words to the caller,
though each half alone is a filler; "uh-uh" only with its hyphen, which tells it from a caller
hesitating twice."""

_CUT_OFF = re.compile(r"\b[a-z']+-(?=\s)")
"""A word the caller broke off to start again, as a transcript writes it ("change the deliv-
the delivery address", "wh- what?"): what follows says it whole, and the stump is no word."""

_RANGE = re.compile(
    r"\b(?:(?:women|men|ladies|kids|children|girls|boys)(?:'s|s'|')|womens|mens)(?=\s)")
"""The range a product is from ("the women's black Chelsea boots"): part of its name, which no
sentence has; not the people themselves ("the kids broke it")."""

_GOT_IT_IN = re.compile(
    r"\b((?:have you|have you got|do you have|do you still have|(?:will|are) you (?:be )?getting)"
    r" (?:any|any more|more|some more)(?: [a-z]+){0,4}?) in"
    r"(?=$| yet| now| again| soon| before| thanks| thank you| cheers)")
"""A shop "has some in" when it has them in stock ("do you have any more in yet", "have you got
any of the blue ones in", "will you be getting more blazers in before September"): said at the
end (or before when, or thanks), the "in" is the whole question, and a word the matcher does
not weigh, so it is read as "in stock". Only after "any" or "more": "have you got the washing
in" is said to someone at home."""

_POSSIBLE_FOR = re.compile(
    r"\b(?:is|would) it (?:be )?(?:at all )?possible for "
    r"((?:the|my|our|this|that|these|those) (?:[a-z]+ ){1,3}?)to (?=[a-z])")
""""Is it possible for the tent to be collected" asks what "can the tent be collected" does, as
"is it possible to" asks "can I" (_ABLE_TO)."""

_NO_LONGER_ALREADY = re.compile(r"\b(not(?: [a-z]+){1,3}) already\b")
""""Already" after a negation, as Singapore and Malaysian English say "any more" ("don't need
it already"): in standard English nothing that is not so has already happened."""

_SIZE_FIGURE = re.compile(r"\bsize (\d{1,2})\b")
"""A size written as a figure ("size 9", as Whisper writes it): read as the words the grammar's
sizes are ("size nine"), never as the digits of an order number."""

_ANY_MORE = re.compile("".join(
    rf"(?<!\b{having} )" for having in ("get", "getting", "got", "have", "having", "sell",
                                        "selling", "stock", "stocking", "make", "making",
                                        "there", "be", "need"))
    + r"\bany more\b")
""""Any more" as "anymore", no longer ("I don't want it any more"), unless it follows getting,
having or selling, where it is a quantity ("are you getting any more kettles in", "is there any
more of the blue"), which has nothing to do with no longer wanting something."""

_DURATION_FIGURE = re.compile(r"\b(\d{1,3}) (days?|weeks?|months?|years?|hours?|minutes?)\b")
"""A length of time written as a figure ("after 30 days", "it's been 10 days", as Whisper writes
it): read as the words the grammar says it in, never as digits of an order number."""

_NON_WORD = re.compile(r"[^a-z0-9']+")
_FILLER_PATTERN = re.compile(r"\b(?:" + "|".join(_FILLER_PHRASES) + r")\b")
_REWRITES = _JOINED | _MISHEARD | _IDIOMS | _ABLE_TO | _PREFERENCE


def _by_first_word(rewrites: dict[str, str]) -> dict[str, list[tuple[list[str], list[str]]]]:
    """Each rewrite as (its words, what they are read as), under its first word, longest first:
    normalize() runs on each utterance and each grammar sentence, and looking the words up takes
    less than half the time of one regular expression of all 500 or so."""
    found: dict[str, list[tuple[list[str], list[str]]]] = {}
    for phrase in sorted(rewrites, key=len, reverse=True):
        found.setdefault(phrase.split()[0], []).append((phrase.split(), rewrites[phrase].split()))
    return found


_REWRITES_BY_FIRST_WORD = _by_first_word(_REWRITES)


def _rewritten(words: list[str]) -> list[str]:
    """The words with every phrase of _REWRITES in them replaced, the longest first, left to
    right."""
    result: list[str] = []
    at = 0
    while at < len(words):
        for phrase, meaning in _REWRITES_BY_FIRST_WORD.get(words[at], ()):
            if words[at:at + len(phrase)] == phrase:
                result.extend(meaning)
                at += len(phrase)
                break
        else:
            result.append(words[at])
            at += 1
    return result


def normalize(text: str) -> list[str]:
    """Lower-case words with contractions expanded and fillers removed; [] for no words."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    text = _BRACKETED.sub(" ", text)
    text = _LETTER_O_IN_A_NUMBER.sub(lambda found: found.group().replace("o", "0"), text)
    for sound, meaning in _SOUNDS_OF_ASSENT:
        text = sound.sub(meaning, text)
    text = _SPELLED.sub(lambda found: found.group().replace("-", ""), _STAMMER.sub("", text))
    text = _NEGATIVE_STATEMENT_WITH_TAG.sub(_asked_plainly, _CUT_OFF.sub(" ", text))
    text = _MY_MONEY.sub("my money", _TAG_QUESTION.sub("", text))
    text = _RANGE.sub(" ", _SOMEONES.sub("my", _PRICE.sub(" ", text)))
    text = _IS_BEFORE_A_STATE.sub(r"\1 is ", text)
    text = _NEGATIVE_QUESTION.sub(
        lambda found: found.group(1) + _ASKED_PLAINLY[found.group(2)] + " ", text)
    text = _SIZE_FIGURE.sub(lambda found: "size " + " ".join(number_words(int(found.group(1)))),
                            text)
    text = _DURATION_FIGURE.sub(
        lambda found: " ".join([*number_words(int(found.group(1))), found.group(2)]), text)
    words: list[str] = []
    for raw in _NON_WORD.sub(" ", text).split():
        words.extend(_expand_word(raw.strip("'")))
    joined = " ".join(word for word in words if word and word not in FILLERS)
    if any(word in _MONEY_AND_MONTHS or _ORDINAL_WORD.match(word) for word in words):
        joined = _SAYS_NOTHING.sub(" ", _PERCENT_OFF.sub("discount", joined))
    joined = " ".join(_FILLER_PATTERN.sub(" ", joined).split())
    if any(word in PEOPLE or word in ("he", "she") for word in words):
        joined = _SOMEONE_WANTS.sub(lambda found: _FIRST_PERSON[found.group(1)],
                                    _FOR_SOMEONE.sub(" ", joined))
        joined = _CAN_SOMEONE.sub(r"\1 i", joined)
    joined = _HAD_NOTHING.sub(
        lambda found: f"{'and have' if found[1] == 'and' else found[1]} not {found[2]} anything",
        joined)
    if "any more" in joined:
        joined = _ANY_MORE.sub("anymore", joined)
    joined = _NO_LONGER_ALREADY.sub(r"\1 anymore", joined)
    joined = _GOT_IT_IN.sub(r"\1 in stock", joined)
    if "possible" in words:
        joined = _POSSIBLE_FOR.sub(r"can \1", joined)
    if "would" in words:
        joined = _THAN_THE_OTHER.sub(r"\1", joined)
    return _rewritten(joined.split())


def normalize_heard(text: str) -> list[str]:
    """normalize() of what a caller said, whole (not of a template's word): it also mends the
    homophones that only the utterance's first or last word shows."""
    joined = " ".join(normalize(text))
    for misheard, meant in _MISHEARD_AT_THE_EDGES:
        joined = misheard.sub(meant, joined)
    return joined.split()


def short_forms_of(first: str, second: str) -> frozenset[str]:
    """The single words normalize() reads as exactly these two ("it", "is" → "it's"; "can",
    "not" → "can't", "cannot", "cant"): the recognisers listen for them too."""
    candidates = {first + suffix for suffix, expansion in _SUFFIXES if expansion == f" {second}"}
    candidates.add(f"{first}'s")
    candidates |= {word for word, expansion in _IRREGULAR.items()
                   if expansion == f"{first} {second}"}
    return frozenset(word for word in candidates if normalize(word) == [first, second])
