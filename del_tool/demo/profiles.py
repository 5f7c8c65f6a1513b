"""What the demo region looks like: target-group profiles, effects, tariffs, payers.

Every number here is an assumption chosen to make the synthetic data plausible, not a fact about
real services. Functioning levels use the 0-4 scale (0 best); slopes are levels per year
(negative is improvement).
"""

from __future__ import annotations

from del_tool.goals.models import Theme
from del_tool.organisation.models import LegalSection, TargetGroup

T = Theme
#: Mean baseline functioning level per theme, by target group.
BASELINE_LEVELS: dict[TargetGroup, dict[Theme, float]] = {
    TargetGroup.AUTISM: {
        T.RELATIONS: 2.8,
        T.COMMUNICATION: 2.6,
        T.MOBILITY: 0.8,
        T.SELF_CARE: 1.8,
        T.COMMUNITY_LIFE: 2.9,
        T.PRACTICAL_TASKS: 2.4,
    },
    TargetGroup.DEAFBLINDNESS: {
        T.RELATIONS: 2.6,
        T.COMMUNICATION: 3.5,
        T.MOBILITY: 2.6,
        T.SELF_CARE: 2.4,
        T.COMMUNITY_LIFE: 3.2,
        T.PRACTICAL_TASKS: 3.0,
    },
    TargetGroup.MENTAL_ILLNESS: {
        T.RELATIONS: 2.5,
        T.COMMUNICATION: 1.6,
        T.MOBILITY: 0.7,
        T.SELF_CARE: 1.9,
        T.COMMUNITY_LIFE: 2.9,
        T.PRACTICAL_TASKS: 2.2,
    },
    TargetGroup.SUBSTANCE_ABUSE: {
        T.RELATIONS: 2.4,
        T.COMMUNICATION: 1.2,
        T.MOBILITY: 0.8,
        T.SELF_CARE: 2.2,
        T.COMMUNITY_LIFE: 3.0,
        T.PRACTICAL_TASKS: 2.3,
    },
    TargetGroup.DEVELOPMENTAL_DISABILITY: {
        T.RELATIONS: 2.2,
        T.COMMUNICATION: 2.4,
        T.MOBILITY: 1.4,
        T.SELF_CARE: 2.3,
        T.COMMUNITY_LIFE: 3.0,
        T.PRACTICAL_TASKS: 3.0,
    },
    TargetGroup.BRAIN_INJURY: {
        T.RELATIONS: 2.0,
        T.COMMUNICATION: 2.3,
        T.MOBILITY: 2.8,
        T.SELF_CARE: 2.7,
        T.COMMUNITY_LIFE: 3.0,
        T.PRACTICAL_TASKS: 3.1,
    },
    TargetGroup.CHILDREN_YOUTH: {
        T.RELATIONS: 2.6,
        T.COMMUNICATION: 1.6,
        T.MOBILITY: 0.5,
        T.SELF_CARE: 1.7,
        T.COMMUNITY_LIFE: 2.6,
        T.PRACTICAL_TASKS: 2.2,
    },
    TargetGroup.COMMUNICATION: {
        T.RELATIONS: 2.0,
        T.COMMUNICATION: 3.0,
        T.MOBILITY: 1.0,
        T.SELF_CARE: 1.2,
        T.COMMUNITY_LIFE: 2.4,
        T.PRACTICAL_TASKS: 1.6,
    },
}

#: Typical yearly change in functioning by legal section (rehabilitation improves most).
SECTION_SLOPE: dict[LegalSection, float] = {
    LegalSection.S107: -0.40,
    LegalSection.S108: -0.08,
    LegalSection.S104: -0.15,
    LegalSection.S103: -0.12,
    LegalSection.S85: -0.25,
}

#: Target groups where some citizens' functioning declines (the "limit loss" goals).
DECLINE_RISK: dict[TargetGroup, float] = {
    TargetGroup.BRAIN_INJURY: 0.35,
    TargetGroup.DEAFBLINDNESS: 0.25,
    TargetGroup.DEVELOPMENTAL_DISABILITY: 0.15,
}

#: Median stay length in days by section (log-normal spread), and the share that drop out early.
STAY_MEDIAN_DAYS: dict[LegalSection, int] = {
    LegalSection.S107: 420,
    LegalSection.S108: 2600,
    LegalSection.S104: 900,
    LegalSection.S103: 1000,
    LegalSection.S85: 400,
}
DROPOUT_SHARE = 0.08

#: Daily tariff (DKK) by section in the first demo year, before the unit's own factor.
BASE_TARIFF: dict[LegalSection, float] = {
    LegalSection.S107: 3150.0,
    LegalSection.S108: 2650.0,
    LegalSection.S104: 880.0,
    LegalSection.S103: 540.0,
    LegalSection.S85: 460.0,
}
TARGET_GROUP_TARIFF_FACTOR: dict[TargetGroup, float] = {
    TargetGroup.DEAFBLINDNESS: 1.6,
    TargetGroup.AUTISM: 1.25,
    TargetGroup.BRAIN_INJURY: 1.3,
    TargetGroup.CHILDREN_YOUTH: 1.35,
}
#: Share of a municipal offer's citizens paid for by the municipality that operates it.
OPERATOR_OWN_SHARE = 0.65

#: Questionnaires each target group's units use beside the staff-rated functioning profile.
EXTRA_QUESTIONNAIRES: dict[TargetGroup, tuple[str, ...]] = {
    TargetGroup.MENTAL_ILLNESS: ("who5", "phq9", "gad7"),
    TargetGroup.SUBSTANCE_ABUSE: ("who5",),
    TargetGroup.CHILDREN_YOUTH: ("who5",),
    TargetGroup.COMMUNICATION: ("who5",),
    TargetGroup.AUTISM: ("who5",),
}
FUNCTIONING_QUESTIONNAIRE = "del_functioning"

#: Mean baseline WHO-5 (0-100) by target group; PHQ-9 and GAD-7 baselines for psychiatry.
WHO5_BASELINE: dict[TargetGroup, float] = {
    TargetGroup.MENTAL_ILLNESS: 34.0,
    TargetGroup.SUBSTANCE_ABUSE: 38.0,
    TargetGroup.CHILDREN_YOUTH: 46.0,
    TargetGroup.AUTISM: 44.0,
    TargetGroup.COMMUNICATION: 54.0,
}
PHQ9_BASELINE, GAD7_BASELINE = 13.0, 10.5

#: Approximate population (thousands) of Region Syddanmark's municipalities: weights for payers.
PAYER_WEIGHTS: dict[str, float] = {
    "461": 210,
    "561": 116,
    "630": 121,
    "621": 94,
    "540": 73,
    "479": 59,
    "580": 58,
    "510": 55,
    "607": 52,
    "573": 50,
    "430": 51,
    "575": 43,
    "420": 41,
    "550": 37,
    "410": 39,
    "450": 32,
    "480": 30,
    "440": 24,
    "530": 27,
    "482": 12,
    "492": 6,
    "563": 3.5,
}
#: A few citizens are placed by municipalities outside the region.
OUTSIDE_PAYERS = ("101", "751", "851", "265")
OUTSIDE_SHARE = 0.04

#: Goal titles (Danish, as staff would write them) by theme and direction.
GOAL_TITLES: dict[Theme, dict[str, tuple[str, ...]]] = {
    T.RELATIONS: {
        "develop": (
            "Styrke kontakten til familien",
            "Deltage i fællesspisning to gange om ugen",
            "Få en fast ven at ses med",
        ),
        "maintain": ("Fastholde ugentlig kontakt til søster", "Bevare kontakten til netværket"),
        "limit_loss": ("Bevare kontakten til de nærmeste", "Undgå isolation i weekenderne"),
    },
    T.COMMUNICATION: {
        "develop": (
            "Bruge tegn-til-tale i hverdagen",
            "Sige til, når noget er svært",
            "Bruge kalender-app til aftaler",
        ),
        "maintain": ("Fastholde brug af kommunikationsbog", "Bevare taktil kommunikation"),
        "limit_loss": ("Bevare evnen til at udtrykke behov", "Begrænse tab af ordforråd"),
    },
    T.MOBILITY: {
        "develop": (
            "Tage bussen alene til byen",
            "Gå en tur på 2 km dagligt",
            "Cykle til værkstedet",
        ),
        "maintain": ("Fastholde daglig gåtur", "Bevare evnen til at gå på trapper"),
        "limit_loss": ("Begrænse tab af gangfunktion", "Bevare forflytning med let støtte"),
    },
    T.SELF_CARE: {
        "develop": (
            "Tage medicin selv til tiden",
            "Klare morgenhygiejne uden påmindelse",
            "Sove i faste tidsrum",
        ),
        "maintain": ("Fastholde faste spisetider", "Bevare selvstændigt bad"),
        "limit_loss": ("Bevare selvstændig påklædning", "Begrænse behov for hjælp til spisning"),
    },
    T.COMMUNITY_LIFE: {
        "develop": (
            "Starte i praktik",
            "Deltage i en fritidsaktivitet",
            "Passe sin økonomi selv",
            "Komme i gang med uddannelse",
        ),
        "maintain": ("Fastholde beskyttet beskæftigelse", "Bevare deltagelse i klubben"),
        "limit_loss": ("Bevare deltagelse i dagtilbuddet", "Begrænse fravær fra aktiviteter"),
    },
    T.PRACTICAL_TASKS: {
        "develop": (
            "Lave aftensmad selv to gange om ugen",
            "Holde sin lejlighed ryddet",
            "Handle ind efter indkøbsliste",
        ),
        "maintain": ("Fastholde tøjvask en gang om ugen", "Bevare rutiner i hjemmet"),
        "limit_loss": ("Bevare evnen til at lave morgenmad", "Begrænse tab af rutiner i køkkenet"),
    },
}
GAS_TEMPLATES = (
    "Meget mindre end forventet: {title} lykkes slet ikke",
    "Mindre end forventet: {title} lykkes sjældent",
    "Forventet: {title} lykkes som aftalt",
    "Mere end forventet: {title} lykkes oftere end aftalt",
    "Meget mere end forventet: {title} lykkes helt selvstændigt",
)
