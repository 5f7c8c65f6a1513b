"""The code systems of DEL's FHIR bundles and DEL's values in them, both ways.

FFB codes (system urn:oid:1.2.208.176.2.22) and KL's care-social codes are those of KL's
terminology package kl.dk.fhir.term 2.3.0 (github.com/hl7dk/kl-term,
input/vocabulary/CodeSystem-FFB.json version 20240530 and CodeSystem-CareSocialCodes.json
version 20250530); their use follows KL's common care-social profiles kl.dk.fhir.core 1.2.0
(github.com/hl7dk/KL-dk) and the FFB messaging guide (github.com/hl7dk/kl-ffb-messaging):
FFB goals carry a måltype and a target functioning level in `Goal.target`, conditions a
functioning level in `Condition.severity`, care plans the category "Social indsats".
Municipality codes are dk-core's four-digit codes (github.com/hl7dk/dk-core 3.8.0).

What FFB has no code for (GAS texts and scores, weight, the citizen's rating, motivation,
the follow-up's kind and note, DEL's target groups, the tariff level) is carried in DEL's own
extensions and code system under `CANONICAL`, which no published guide defines.
"""

from __future__ import annotations

from del_tool.citizens.models import Sex
from del_tool.followups.models import FollowUpKind
from del_tool.goals.models import GoalDirection, Theme
from del_tool.organisation.models import LegalSection, TargetGroup

FFB = "urn:oid:1.2.208.176.2.22"
CARE_SOCIAL = "http://fhir.kl.dk/term/CodeSystem/CareSocialCodes"
MUNICIPALITY = "http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes"
CPR = "urn:oid:1.2.208.176.1.2"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#: KL's common extensions (kl.dk.fhir.core: canonical http://fhir.kl.dk/core, ids by name).
CONDITION_RANK = "http://fhir.kl.dk/core/StructureDefinition/ConditionRank"
FOLLOW_UP_ENCOUNTER = "http://fhir.kl.dk/core/StructureDefinition/FollowUpEncounter"

#: DEL's own canonical base: its extensions, code system and questionnaires. ".invalid" (RFC
#: 2606) says what it is: names, not a published implementation guide.
CANONICAL = "http://del.invalid/fhir"
DEL_CODES = f"{CANONICAL}/CodeSystem/del"
EXT_WEIGHT = f"{CANONICAL}/StructureDefinition/goal-weight"
EXT_GAS = f"{CANONICAL}/StructureDefinition/goal-gas-level"
EXT_KIND = f"{CANONICAL}/StructureDefinition/followup-kind"
EXT_NOTE = f"{CANONICAL}/StructureDefinition/followup-note"
EXT_TARIFF_LEVEL = f"{CANONICAL}/StructureDefinition/stay-tariff-level"
QUESTIONNAIRE = f"{CANONICAL}/Questionnaire"
#: DEL's identifiers: the pseudonym per receiving system, units and Tilbudsportalen ids.
IDENTIFIER = "urn:del:fhir"

#: KL care-social codes (CareSocialCodes).
CATEGORY_SOCIAL = "e459386d-1474-4c31-89c5-c8bc7a25e3d4"  # Social indsats (care plan)
CATEGORY_FFB_GOAL = "0bb3daef-538d-45dc-b444-abdbcb63f6bc"  # FFB indsatsmål
CATEGORY_PURPOSE = "424827b1-23aa-4848-962b-56ee47def560"  # Indsatsformål
MEASURE_LEVEL = "66959f77-6e2a-4574-8423-3ff097f8b9fa"  # funktionsevneniveau
MEASURE_DIRECTION = "90c48f03-f194-4b2f-ad7d-6cba1069ae48"  # måltype
ENCOUNTER_FOLLOW_UP = "9f03dfbb-7a97-45a5-94db-d4c3501714a9"  # opfølgning

#: FFB themes (Aktivitet og deltagelse) and their sub-themes (undertemaer), which FFB's
#: condition value set (KLConditionADCodesFFB: descendants of the themes) holds.
THEMES: dict[Theme, tuple[str, str]] = {
    Theme.RELATIONS: ("3856b434-f72e-42a5-b9d1-0cc93f48434b", "Relationer"),
    Theme.COMMUNICATION: ("c2b186f9-9c10-478e-8345-2d2c37ab4c46", "Kommunikation"),
    Theme.MOBILITY: ("d1495b2c-1452-4e49-8dbe-8193af5d8823", "Mobilitet"),
    Theme.SELF_CARE: ("da3f488f-1742-4d00-b247-a7d47500b36b", "Egenomsorg"),
    Theme.COMMUNITY_LIFE: ("dfbe6ff6-223b-436a-b864-8ba29bda41e2", "Samfundsliv"),
    Theme.PRACTICAL_TASKS: ("eef71492-65f5-4297-aa95-3c3a6866ddef", "Praktiske opgaver"),
}
SUB_THEMES: dict[Theme, tuple[str, ...]] = {
    Theme.RELATIONS: (
        "3f9da5ac-9686-4eeb-b517-b46e17fcb1d7",  # Indgå i samspil og kontakt
        "4c082610-b122-4019-96f2-1061e287445e",  # Varetage relationer til netværk
        "dcc6bb77-45af-4625-9c4d-7d7878307220",  # Deltage i sociale fællesskaber ...
    ),
    Theme.COMMUNICATION: (
        "2ba29098-a527-43d5-b858-4c5353669f42",  # Fremstille meddelelser
        "986898d0-e2e5-4afa-9cb3-ee7aecaa0143",  # Samtale
        "9bbbffef-c404-4ea3-a927-cd22d8027e6d",  # Forstå meddelelser
        "a80e8f96-18ba-4ee4-9496-d3ce882c2f85",  # Anvende kommunikationsudstyr ...
    ),
    Theme.MOBILITY: (
        "320c9aa6-630e-4695-bba2-29ea808fad24",  # Bære, flytte og håndtere genstande
        "4977ce08-df4d-4c09-8e03-c2a563862e68",  # Gå og bevæge sig
        "759ddc8e-57c0-4aa6-8d32-14d8eb51c5dd",  # Ændre og opretholde kropsstilling
        "eff3385d-01fa-4c9c-9850-52e179243f21",  # Færdes med transportmidler
    ),
    Theme.SELF_CARE: (
        "14615a09-bd94-4602-b43a-f6d3d3f9801d",  # Drikke
        "28fbf17e-bca3-45e1-be35-553e3d91f1b7",  # Varetage sin seksualitet
        "347aa085-4fe2-411f-ac56-5693d164adc3",  # Klæde sig af og på
        "3a748135-98a8-416a-808d-bff88a8e40ee",  # Dyrke interesse
        "464a2ab6-a7df-4b3a-b74d-7873f4cfe668",  # Spise
        "4a58417e-9a75-43f2-9763-66505050159f",  # Varetage egen sundhed
        "885400cc-dd71-479e-8993-3fc48fdd6710",  # Vaske sig
        "94fb3ea0-92cf-43b1-929b-c95e6fb739a1",  # Gå på toilettet
        "b3939f0b-43d9-4e8c-bb2e-50ff8bb7ed03",  # Pleje sin krop
    ),
    Theme.COMMUNITY_LIFE: (
        "685e8517-2f5c-4ef8-a7c4-fa2d008fdd9d",  # Varetage beskæftigelse
        "70443014-3faf-402d-abcf-396bfad32eb9",  # Varetage økonomi
        "8888edfa-642b-4329-9fe3-a9b180e6d3f4",  # Varetage uddannelse
        "8bef71de-55b5-47fe-b438-18ac769106b3",  # Håndtere post
        "fd4b8dd3-5c4b-4257-8c13-ea045617d2f6",  # Varetage bolig
    ),
    Theme.PRACTICAL_TASKS: (
        "01770afa-cd17-41fe-a966-b8895e4d55d8",  # Købe ind
        "4a51d7a7-61e7-48fa-a1d5-9d26337c6c38",  # Passe ejendele
        "58ef570c-1c1e-47be-8bfd-26ed99825762",  # Udvise hjælp og omsorg for andre
        "8f32c948-41c4-49d7-8913-cdeede2e7fe1",  # Gøre rent
        "b947f321-7cdb-4b33-9653-f3ff800572b0",  # Lave mad
        "bd67597b-e80f-427f-8cf9-79d01eff91fc",  # Vaske tøj
    ),
}
#: Funktionsevneniveau 0-4 (and "Ikke vurderet", which DEL has no level for).
LEVELS: dict[int, tuple[str, str]] = {
    0: ("b508ff66-6326-4862-a6d7-7bbf184c9823", "Ingen nedsat funktionsevne"),
    1: ("8328ce4a-6238-4f73-bf1a-74aadb68eff8", "Let nedsat funktionsevne"),
    2: ("5bdde847-2837-416b-ab63-bbff8b7aa531", "Moderat nedsat funktionsevne"),
    3: ("cae545f5-2813-4d79-98fc-0a7d770af3cd", "Svært nedsat funktionsevne"),
    4: ("832ae90b-23b5-4063-80aa-0b81bdce680e", "Fuldstændig nedsat funktionsevne"),
}
NOT_ASSESSED = "1c327095-107f-4b96-88d0-ec562cb980be"
#: Måltype.
DIRECTIONS: dict[GoalDirection, tuple[str, str]] = {
    GoalDirection.DEVELOP: ("d41c8072-52f8-42b5-9375-ddbea454d27f", "Udvikle funktionsevne"),
    GoalDirection.MAINTAIN: ("10752a63-00b4-4958-b7f4-9f3a18f74266", "Fastholde funktionsevne"),
    GoalDirection.LIMIT_LOSS: (
        "e47c22bd-d88d-48ab-882b-419923e1f44e",
        "Begrænse tab af funktionsevne",
    ),
}
#: The FFB service (ydelse) a stay under each section of Serviceloven is.
SECTIONS: dict[LegalSection, tuple[str, str]] = {
    LegalSection.S85: ("1f0ff82b-3243-422f-9651-1d00fd2dcd61", "Socialpædagogisk støtte"),
    LegalSection.S103: ("d8505298-6ea5-4ca8-923d-6e4451cc9a48", "Beskyttet beskæftigelse"),
    LegalSection.S104: ("a2256d86-1cf8-4da5-be49-1f49f4335ecb", "Aktivitet og samvær"),
    LegalSection.S107: ("80aa8ea7-4ad8-405f-876a-4c0f89fde06a", "Midlertidigt ophold"),
    LegalSection.S108: ("5af56051-8413-4115-aaa2-83a0767e1137", "Længerevarende ophold"),
}
#: FFB target groups (målgrupper) for DEL's; children and youth is an age group FFB has none
#: for (DEL's own code says it). Descendants (e.g. Stofmisbrug under Misbrug) read as theirs.
TARGET_GROUPS: dict[TargetGroup, tuple[str, str]] = {
    TargetGroup.AUTISM: ("9b3fd322-a75a-4ed8-9b74-425fa1e01c95", "Autismespektrum"),
    TargetGroup.DEAFBLINDNESS: ("04a2ecdd-cdc6-4000-91d3-4e21958126ec", "Døvblindhed"),
    TargetGroup.MENTAL_ILLNESS: ("a78fb31e-b30a-4815-af85-932859fd06b9", "Psykiske vanskeligheder"),
    TargetGroup.SUBSTANCE_ABUSE: ("e2ecc751-21b9-4aab-a20f-2f3dd9701c97", "Misbrug"),
    TargetGroup.DEVELOPMENTAL_DISABILITY: (
        "97c355cc-84e3-46d0-ac1b-00bc627d089f",
        "Udviklingshæmning",
    ),
    TargetGroup.BRAIN_INJURY: ("d26f97e8-99ed-46a9-94db-93340f77a950", "Erhvervet hjerneskade"),
    TargetGroup.COMMUNICATION: (
        "5cb8997c-eb10-477f-b653-b2a5ff11ce7d",
        "Kommunikationsnedsættelse",
    ),
}
TARGET_GROUP_DESCENDANTS: dict[str, TargetGroup] = {
    "0d66b364-958e-48cf-a18b-744fab284194": TargetGroup.DEAFBLINDNESS,  # Erhvervet døvblindhed
    "ab7b7d7b-b7bb-4b8c-99d9-5c98a302b771": TargetGroup.DEAFBLINDNESS,  # Medfødt døvblindhed
    "0e25a2ec-4f04-4d14-a5ad-a6519a7d1d5f": TargetGroup.SUBSTANCE_ABUSE,  # Stofmisbrug
    "ab4413f0-fa81-41c0-ad8c-21782c12a0fa": TargetGroup.SUBSTANCE_ABUSE,  # Alkoholmisbrug
    "192b7d79-415c-4f4f-9223-607938ecbe97": TargetGroup.MENTAL_ILLNESS,  # Spiseforstyrrelse
    "303deb9b-84f0-49d2-ab7a-f8b98eed40a2": TargetGroup.MENTAL_ILLNESS,  # Angst
    "6aac5ae6-ef06-4866-9c66-16d51ebbc83b": TargetGroup.MENTAL_ILLNESS,  # Personlighedsforstyrrelse
    "851b2a9d-cde2-4d5d-8f33-d03789022cbb": TargetGroup.MENTAL_ILLNESS,  # Anden psykisk ...
    "afaa7e31-2b5d-4a49-9008-56aa8df8dc13": TargetGroup.MENTAL_ILLNESS,  # Stressbelastning
    "d42d8f41-2d07-4391-a687-bad51172d0c9": TargetGroup.MENTAL_ILLNESS,  # Tilknytningsforstyrrelse
    "ee5b52bd-b839-4e69-ad04-c8b33eabfbde": TargetGroup.MENTAL_ILLNESS,  # Depression
    "f2ccc0c0-2a0a-49c9-9d6a-741a7cd220a3": TargetGroup.MENTAL_ILLNESS,  # Forandret virkelighed...
}
GENDERS: dict[Sex, str] = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.OTHER: "other"}
#: DEL's own codes (system `DEL_CODES`): review components and target groups.
GAS_SCORE, CITIZEN_RATING, MOTIVATION = "gas-score", "citizen-rating", "motivation"
FOLLOWUP_KINDS = {kind.value: kind for kind in FollowUpKind}


def target_group_code(group: TargetGroup) -> str:
    """DEL's code of a target group (`DEL_CODES`)."""
    return f"target-group-{group.value}"


def theme_of(code: str) -> Theme | None:
    """The DEL theme an FFB theme or sub-theme code means (None: not one of DEL's themes)."""
    for theme, (theme_code, _display) in THEMES.items():
        if code == theme_code or code in SUB_THEMES[theme]:
            return theme
    return None


def level_of(code: str) -> int | None:
    """The functioning level an FFB code means."""
    return next((level for level, (c, _d) in LEVELS.items() if c == code), None)


def direction_of(code: str) -> GoalDirection | None:
    """The goal direction an FFB måltype code means."""
    return next((d for d, (c, _x) in DIRECTIONS.items() if c == code), None)


def section_of(code: str) -> LegalSection | None:
    """The legal section an FFB service (ydelse) code means."""
    return next((s for s, (c, _d) in SECTIONS.items() if c == code), None)


def target_group_of(system: str | None, code: str | None) -> TargetGroup | None:
    """The DEL target group a coding means (DEL's own code, FFB's or a descendant of it)."""
    if system == DEL_CODES:
        return next((g for g in TargetGroup if target_group_code(g) == code), None)
    if system != FFB or code is None:
        return None
    found = next((g for g, (c, _d) in TARGET_GROUPS.items() if c == code), None)
    return found or TARGET_GROUP_DESCENDANTS.get(code)


def municipality_code(code: str) -> str:
    """dk-core's four-digit municipality code of DEL's three-digit one ("461" -> "0461")."""
    return code.zfill(4)
