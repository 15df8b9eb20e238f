#!/usr/bin/env python3
"""Builds tests/data/labelled_comments.tsv: varied comment text labelled wanted (0) or spam/abuse (1), for the
classifier's precision and recall. Deterministic (fixed seed); rerun after changing the pools.

The text is generated from pools of phrases, so it is easier than a real moderation queue: legitimate comments
that mention money, links, "free" or strong words are included on purpose, and so is spam written to look
like an opinion. The numbers it yields are an upper bound on what a newsroom will see in its first weeks."""
import random

rng = random.Random(20261127)

topics = ["the housing bill", "the new rail timetable", "the council budget", "the heat pump subsidy", "the school funding formula",
          "the NHS waiting lists", "the bypass plan", "the election result", "the climate targets", "the tax on second homes",
          "the minimum wage rise", "the bus franchising scheme", "the library closures", "the water company fines",
          "the junior doctors' strike", "the local plan", "the cycling lanes", "the care home report", "the migration figures",
          "the defence review", "the pension triple lock", "the energy price cap", "the university fees", "the flood defences"]
openers = ["I think", "Honestly,", "As a teacher, I'd say", "Having lived here for thirty years,", "With respect to the author,",
           "My worry is that", "The piece is right that", "I disagree:", "Good article, but", "It seems to me that",
           "As someone who works in the sector,", "Speaking as a pensioner,", "Fair point, although", "I'm not convinced that",
           "The writer misses that", "Interesting take.", "Spot on.", "Yes, and", "To be fair,", "Worth remembering that"]
claims = ["{t} will cost more than anyone admits", "{t} is long overdue", "{t} helps the people who need it least",
          "{t} was badly explained by ministers", "nobody asked the residents about {t}", "{t} deserves a proper debate",
          "the figures on {t} don't add up", "{t} is the right idea done the wrong way", "{t} will be quietly dropped by spring",
          "we tried something like {t} in the nineties and it worked", "{t} needs cross-party support to last",
          "the opposition has no alternative to {t}", "{t} shows how little Westminster understands the north",
          "{t} could free up money for front-line services", "the consultation on {t} closes on Friday",
          "{t} is being sold as free when someone always pays", "{t} would cut bills by about £300 a year, per the report"]
closers = ["", "", " Thanks for writing this.", " Happy to be proved wrong.", " What do others think?",
           " The comments here are better than the debate in Parliament.", " My daughter's school is a case in point.",
           " See the committee's report for the detail.", " Let's see what the budget says.", " We deserve better.",
           " Source: https://www.gov.uk/government/statistics", " The ONS numbers are at https://www.ons.gov.uk if anyone wants them.",
           " I'd offer the council a simple deal: publish the costs.", " Free school meals matter here too.",
           " It's a bloody mess, frankly.", " The minister's answer was ridiculous."]
replies = ["@{n} I see your point, but {t} is more complicated than that.", "@{n} that's not what the article says about {t}.",
           "Replying to {n}: fair enough, though {t} still worries me.", "@{n} thanks, I hadn't thought of it that way.",
           "@{n} do you have a source for that? I'd like to read more about {t}."]
names = ["Ana", "Tom", "Priya", "Mark", "Joan", "Sam", "Olu", "Kasia", "Rhys", "Maeve"]

spam_products = ["crypto signals", "bitcoin trading bot", "cheap viagra", "weight loss pills", "online casino bonus",
                 "payday loans", "SEO backlinks", "replica watches", "CBD gummies", "forex robot", "essay writing service",
                 "free iPhone giveaway", "Instagram followers", "hot singles near you", "work-from-home job"]
spam_hooks = ["I made ${m} last week with {p}!!!", "Earn ${m} a day from home with {p}, no experience needed",
              "My aunt earns ${m} a month using {p}. Click here:", "Best {p} 2026 - limited offer, act now",
              "{p} 100% guaranteed results, visit", "WOW {p} changed my life, check", "Get {p} for FREE today only at",
              "Looking for {p}? Cheapest prices online", "Don't miss this {p} deal -- 90% OFF", "DM me for {p} or go to",
              "Great article! By the way, {p} is the best, see", "I agree with the author. Also, try {p}:"]
spam_links = ["http://bit.ly/3xYz9", "https://cheap-deals.shop", "www.make-money-fast.biz", "https://crypto-gains.io/ref=88",
              "http://best-pills.online", "https://t.me/signals_vip", "https://win-big-casino.xyz", "www.free-gifts.top",
              "https://rank1-seo.net/offer", "http://earn-now.click"]
spam_tails = ["", " !!!", " 🔥🔥🔥", " Thank me later.", " Message me on WhatsApp +44 7700 900123.", " Limited spots!",
              " Contact: deals@promo-mail.biz", " c1ick n0w"]

insults = ["idiot", "moron", "clown", "imbecile", "troll", "fool", "halfwit", "muppet", "cretin", "loser"]
abuse_templates = ["You're an absolute {i}, {n}. Shut up.", "Only a {i} would write this garbage.",
                   "{n} is a total {i} and everyone knows it.", "Get lost, {i}. Nobody wants you here.",
                   "What a pathetic {i} the author is.", "People like you are scum. Go away, {i}.",
                   "Shut your mouth, {n}, you brainless {i}.", "The journalist is a paid {i}, sack him.",
                   "Typical {i} comment from a typical {i}.", "Crawl back under your rock, you {i}.",
                   "@{n} nobody cares what a {i} thinks about {t}.", "Hope you lose your job over {t}, {i}."]

def ham():
    t = rng.choice(topics)
    if rng.random() < 0.2:
        return rng.choice(replies).format(n=rng.choice(names), t=t)
    return f"{rng.choice(openers)} {rng.choice(claims).format(t=t)}.{rng.choice(closers)}"

def spam():
    text = rng.choice(spam_hooks).format(p=rng.choice(spam_products), m=rng.choice([250, 500, 1200, 3000, 9000]))
    return f"{text} {rng.choice(spam_links)}{rng.choice(spam_tails)}"

def abuse():
    return rng.choice(abuse_templates).format(i=rng.choice(insults), n=rng.choice(names), t=rng.choice(topics))

rows, seen = [], set()
for make, label, n in [(ham, 0, 900), (spam, 1, 450), (abuse, 1, 300)]:
    made = 0
    while made < n:
        text = make()
        if text in seen:
            continue
        seen.add(text)
        rows.append((label, text))
        made += 1
rng.shuffle(rows)
with open(__file__.replace("make_labelled_comments.py", "labelled_comments.tsv"), "w", encoding="utf-8") as f:
    f.write("# label\ttext (0: wanted, 1: spam or abuse); generated by make_labelled_comments.py\n")
    for label, text in rows:
        f.write(f"{label}\t{text}\n")
