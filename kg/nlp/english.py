"""English lexicon of the extractor: event triggers, role nouns and light verbs.

Everything language-specific that is not in the spaCy model or the reference tables lives
here, so that a French lexicon can sit beside it.
"""

from __future__ import annotations

# lemma -> event family. A family is refined into a type code once the arguments are known.
VERB_TRIGGERS: dict[str, str] = {
    "attack": "attack", "assault": "attack", "ambush": "attack", "raid": "attack",
    "storm": "attack", "kill": "attack", "murder": "attack", "assassinate": "attack",
    "massacre": "attack", "shoot": "attack", "machinegun": "attack", "machine-gun": "attack",
    "behead": "attack", "slay": "attack", "execute": "attack", "stab": "attack",
    "wound": "attack", "injure": "attack", "strike": "attack",
    "clash": "clash", "fight": "clash", "battle": "clash", "engage": "clash",
    "bomb": "bombing", "dynamite": "bombing", "detonate": "bombing", "explode": "bombing",
    "blow": "bombing",
    "shell": "shelling", "bombard": "shelling", "mortar": "shelling",
    "kidnap": "abduction", "abduct": "abduction",
    "burn": "arson", "torch": "arson",
    "rob": "robbery", "steal": "robbery", "loot": "looting", "ransack": "looting",
    "pillage": "looting", "plunder": "looting",
    "capture": "capture", "seize": "capture", "confiscate": "capture",
    "arrest": "arrests", "detain": "arrests", "apprehend": "arrests",
    "protest": "protest", "demonstrate": "protest", "riot": "riot",
}

NOUN_TRIGGERS: dict[str, str] = {
    "attack": "attack", "assault": "attack", "ambush": "attack", "raid": "attack",
    "massacre": "attack", "killing": "attack", "murder": "attack", "assassination": "attack",
    "shooting": "attack", "offensive": "attack", "incursion": "attack",
    "clash": "clash", "fighting": "clash", "battle": "clash", "skirmish": "clash",
    "confrontation": "clash", "firefight": "clash", "combat": "clash", "gunfight": "clash",
    "bombing": "bombing", "explosion": "bombing", "blast": "bombing", "bomb": "bombing",
    "shelling": "shelling", "bombardment": "shelling", "airstrike": "air", "air strike": "air",
    "kidnapping": "abduction", "abduction": "abduction", "hostage": "abduction",
    "arson": "arson", "robbery": "robbery", "theft": "robbery", "holdup": "robbery",
    "looting": "looting",
    "capture": "capture", "seizure": "capture",
    "arrest": "arrests", "detention": "arrests",
    "protest": "protest", "demonstration": "protest", "march": "protest", "riot": "riot",
}

# Verb + object phrases: (verb lemma, object lemma) -> family
PHRASE_TRIGGERS: dict[tuple[str, str], str] = {
    ("gain", "control"): "capture", ("take", "control"): "capture",
    ("take", "possession"): "capture", ("set", "fire"): "arson", ("open", "fire"): "attack",
    ("take", "hostage"): "abduction", ("hold", "hostage"): "abduction",
    ("throw", "grenade"): "bombing", ("hurl", "grenade"): "bombing", ("lob", "grenade"): "bombing",
    ("plant", "bomb"): "bombing", ("place", "bomb"): "bombing", ("hurl", "bomb"): "bombing",
    ("throw", "bomb"): "bombing", ("detonate", "bomb"): "bombing",
}

# Triggers whose "with" phrase names the other side, not an instrument: "clashed with X".
RECIPROCAL_TRIGGERS = {"clash", "fight", "battle", "skirmish", "engage", "confrontation",
                       "fighting", "gunfight", "firefight", "exchange"}

# Instruments that make an attack a bombing ("killed with a bomb") or a grenade attack.
EXPLOSIVE_NOUNS = {"bomb", "dynamite", "explosive", "mine", "landmine", "ied", "car-bomb",
                   "carbomb", "device", "charge", "petard"}
GRENADE_NOUNS = {"grenade"}
# who or what drops bombs from the air ("the Air Force bombed", "bombed by helicopters")
AIRCRAFT_WORDS = {
    "air", "aircraft", "airplane", "airplanes", "plane", "planes", "helicopter", "helicopters",
    "gunship", "gunships", "jet", "jets", "drone", "drones", "airstrike",
}
# explosives named without doubt ("device" and "charge" need a modifier to be one)
BLAST_NOUNS = EXPLOSIVE_NOUNS - {"device", "charge", "petard"}
# verbs of a sentence that reports no real event: a threat, a denial, a plan
HEDGE_VERBS = {"threaten", "deny", "warn", "vow", "plan", "fear", "promise", "prevent"}

# Verbs whose subject is the agent of a nominal trigger in their object: "launched an attack".
LIGHT_VERBS = {
    "launch", "carry", "stage", "mount", "conduct", "perpetrate", "commit", "claim", "lead",
    "make", "unleash", "initiate", "execute", "plan",
}

# Nouns naming armed people without naming a group: perpetrators of kind "group".
ARMED_NOUNS = {
    "militant", "gunman", "fighter", "guerrilla", "rebel", "insurgent", "jihadist",
    "terrorist", "attacker", "assailant", "soldier", "troop", "force", "militia",
    "militiaman", "bandit", "extremist", "commando", "hitman", "gunmen", "gang", "man",
    "individual", "subversive", "paramilitary", "policeman", "police", "army", "patrol",
    "unit", "column", "squad", "combatant", "element", "kidnapper", "terrorists",
    "member", "group", "faction", "cell", "jihadis", "jihadi", "raider", "killer",
    "bomber", "robber", "arsonist", "sniper", "shooter", "abductor", "hijacker", "assassin",
    "narcoterrorist", "perpetrator",
}

# Nouns that continue an actor mention: "ISIS militants", "al-Qaeda affiliates".
ACTOR_HEAD_NOUNS = ARMED_NOUNS | {"affiliate", "counterpart", "ally", "loyalist", "supporter"}
AFFILIATE_WORDS = {"affiliate", "affiliated", "linked", "allied", "aligned", "loyal"}

CIVILIAN_NOUNS = {
    "civilian", "villager", "peasant", "resident", "farmer", "student", "worshipper",
    "people", "person", "woman", "child", "inhabitant", "passenger", "teacher", "trader",
    "herder", "family", "priest", "journalist", "official", "worker", "citizen",
    "protester", "demonstrator", "rioter", "marcher",
}
# People who protest: a side of a protest or a riot ("protesters stormed the embassy").
PROTESTER_NOUNS = {"protester", "demonstrator", "rioter", "marcher", "protestor"}
# Heads of the crowds whose fire and looting during a protest are the protest's.
CROWD_NOUNS = {"protester", "demonstrator", "rioter", "marcher", "youth", "crowd", "mob"}
# Verbs that make a protest of protesters' gathering ("thousands of protesters marched").
PROTEST_VERBS = {"gather", "march", "rally", "converge", "assemble", "throng", "mass"}

# Collective nouns for materiel; a capture of these is a materiel capture.
MATERIEL_NOUNS = {
    "weapon", "weaponry", "arm", "arms", "equipment", "ammunition", "arsenal", "materiel",
    "rifle", "vehicle", "munition", "firearm", "explosive", "gun", "launcher", "rocket",
    "mortar", "grenade", "cache", "stockpile", "hardware",
}

# Words that make a mention non-specific or not (yet) real.
IRREALIS_MODIFIERS = {
    "future", "possible", "potential", "planned", "alleged", "threatened", "imminent",
    "further", "new", "more", "any", "each", "every", "such", "similar", "direct",
}
IRREALIS_AUX = {"will", "would", "could", "may", "might", "should", "must", "can", "shall"}

ANAPHORIC_DETERMINERS = {"this", "that", "the", "these", "those", "its", "their"}

LOCATION_RELATIONS = {
    "near": "near", "outside": "near", "around": "near", "close to": "near",
    "north of": "north of", "south of": "south of", "east of": "east of", "west of": "west of",
    "northeast of": "northeast of", "northwest of": "northwest of",
    "southeast of": "southeast of", "southwest of": "southwest of",
}

PLACE_CLASS_NOUNS = {
    "city", "town", "village", "municipality", "department", "province", "region",
    "district", "commune", "hamlet", "locality", "county", "state", "area", "jurisdiction",
}

FATALITY_VERBS = {"kill", "die", "murder", "slay", "massacre", "execute", "behead", "assassinate"}
FATALITY_NOUNS = {"death", "dead", "fatality", "casualty", "body", "corpse"}

# -- article-level assembly (kg/assemble.py) ---------------------------------------------------
import re as _re  # noqa: E402

# A sentence that recalls an older incident rather than telling the article's own.
BACKGROUND_CUES = _re.compile(
    r"\b(?:last|previous|past) (?:year|month|years|months|december|january|february|march"
    r"|april|may|june|july|august|september|october|november)\b"
    r"|\bin (?:19|20)\d\d\b|\bsince (?:19|20)\d\d\b|\bearlier this (?:year|month)\b"
    r"|\bin recent (?:years|months|weeks)\b|\bpreviously\b|\bin a (?:similar|separate|previous)"
    r"|\b(?:a|an) (?:similar|separate|earlier|previous) (?:attack|incident|raid|ambush)\b"
    r"|\bthe deadliest\b|\bhas (?:since )?(?:killed|claimed|displaced)\b"
    r"|\bhave (?:since )?(?:killed|claimed|displaced)\b|\bcame (?:days|weeks|a day|a week) after\b"
    r"|\bcomes (?:days|weeks|a day|a week) after\b",
    _re.IGNORECASE,
)
# A sentence that sums up a conflict ("the insurgency has killed thousands"): no incident.
GENERIC_CUES = _re.compile(
    r"\b(?:thousands|hundreds of thousands|millions|tens of thousands)\b"
    r"|\b(?:has|have|had) (?:since )?(?:killed|claimed|displaced|left)\b"
    r"|\bsince (?:19|20)\d\d\b|\bin recent (?:years|months)\b",
    _re.IGNORECASE,
)
SUICIDE_CUES = _re.compile(r"\bsuicide\b|\bblew (?:himself|herself|themselves) up\b", _re.I)
REMOTE_EXPLOSIVE_CUES = _re.compile(
    r"\bIEDs?\b|\bimprovised explosive|\broadside (?:bomb|device|explosive)|\blandmines?\b"
    r"|\bmines?\b(?! (?:workers|site|company))|\bexplosive devices?\b|\bcar bomb"
    r"|\bvehicle[- ]borne\b|\bhit an? (?:explosive|device|mine)\b",
    _re.IGNORECASE,
)
GRENADE_CUES = _re.compile(r"\bgrenades?\b", _re.IGNORECASE)
RIOT_CUES = _re.compile(
    r"\b(?:burn(?:ed|t|ing)?|torch(?:ed|ing)?|set (?:fire|ablaze)|loot(?:ed|ing)?"
    r"|ransack(?:ed|ing)?|vandali[sz](?:ed|ing)|stones?|rocks?|barricad(?:e|es|ed|ing)"
    r"|tyres|tires|clash(?:ed|es)? with (?:police|security)|riot(?:s|ers|ing)?|violent)\b",
    _re.IGNORECASE,
)
# Head words naming a country's forces ("Burkinabe soldiers", "the army", "gendarmes").
MILITARY_WORDS = {
    "soldier", "soldiers", "troop", "troops", "army", "military", "forces", "force",
    "servicemen", "serviceman", "paratrooper", "paratroopers", "detachment", "battalion",
    "regiment", "garrison", "marine", "marines", "airmen", "sailors", "personnel",
}
POLICE_WORDS = {
    "police", "policeman", "policemen", "gendarme", "gendarmes", "gendarmerie", "officer",
    "officers", "constable", "constables",
}

# Triggers whose patients are people harmed (victims), not places or forces attacked.
HARM_VERBS = FATALITY_VERBS | {"wound", "injure", "kidnap", "abduct", "shoot", "stab", "maim"}
HARM_NOUNS = {"killing", "murder", "assassination", "massacre", "kidnapping", "abduction"}
# Adjectives a place phrase may open with: "the northern city of Djibo", "in rural Mopti".
PLACE_ADJECTIVES = {
    "northern", "southern", "eastern", "western", "central", "north", "south", "east", "west",
    "northeastern", "northwestern", "southeastern", "southwestern", "north-eastern",
    "north-western", "south-eastern", "south-western", "rural", "remote", "restive",
    "troubled", "volatile", "neighbouring", "neighboring", "border", "far", "nearby",
    "small", "local", "mining", "frontier", "lawless",
}

# Things hit that are counted like people ("burned 20 houses"): they stay targets.
THING_NOUNS = {
    "vehicle", "truck", "lorry", "car", "bus", "motorcycle", "motorbike", "tanker", "house",
    "home", "hut", "building", "shop", "store", "school", "church", "mosque", "village",
    "town", "camp", "base", "post", "checkpoint", "convoy", "pylon", "bridge", "granary",
}

# Quantifiers and counts that open a mention ("at least 50 people", "Eighteen terrorists"):
# the assembly also keeps the mention without them, as the article names the same people so.
QUANTITY_PREFIX = _re.compile(
    r"^(?:(?:at least|at most|up to|about|around|some|nearly|almost|more than|over|roughly"
    r"|approximately|an estimated|a total of|another|dozens of|scores of|hundreds of"
    r"|thousands of|several|many|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|fifteen|twenty|thirty|forty|fifty|hundred|eighteen|seventeen|sixteen"
    r"|fourteen|thirteen|nineteen|the|a|an|[\d,]+)\s+)+",
    _re.IGNORECASE,
)

# Verbs of saying: a date attached to one is when something was said, not done.
SPEECH_VERBS = {
    "say", "tell", "announce", "report", "confirm", "state", "add", "declare", "claim",
    "disclose", "reveal", "indicate", "explain", "note", "write", "post", "publish", "update",
}

# Places held by the forces: an attack on one is an attack on the forces ("Djibo barracks").
MILITARY_PLACES = {"barracks", "garrison", "outpost", "checkpoint", "gendarmerie", "brigade"}
