"""The roles, verdict scale and policy every installation starts with.

Used by the data migration (so production has them) and by ``setup_demo``; both are
idempotent and never overwrite what an admin has changed.
"""

from django.apps import apps as global_apps

FACT_CHECKERS = "Fact-checkers"
EDITORS = "Editors"

CHECKER_PERMISSIONS = [
    ("verifier", "view_article"),
    ("verifier", "add_article"),
    ("verifier", "view_claim"),
    ("verifier", "work_claim"),
    ("verifier", "view_source"),
    ("verifier", "view_evidence"),
    ("verifier", "view_note"),
    ("verifier", "view_rating"),
    ("verifier", "view_event"),
]
EDITOR_PERMISSIONS = CHECKER_PERMISSIONS + [
    ("verifier", "approve_claim"),
    ("verifier", "assign_claim"),
    ("verifier", "sign_off_article"),
]

# label, value for ClaimReview, colour, requires evidence, description
RATINGS = [
    (
        "Accurate",
        5,
        "#1a7f37",
        True,
        "The claim is correct and nothing important is missing.",
    ),
    (
        "Mostly accurate",
        4,
        "#2f6f3e",
        True,
        "Correct in substance, with a minor error or omission.",
    ),
    (
        "Needs context",
        3,
        "#8a6100",
        True,
        "Correct as far as it goes, but missing context changes "
        "how a reader understands it.",
    ),
    (
        "Misleading",
        2,
        "#b3410e",
        True,
        "Contains some truth but gives a wrong impression.",
    ),
    ("False", 1, "#b42318", True, "The claim is wrong."),
    (
        "Unverifiable",
        0,
        "#5b6470",
        False,
        "No public evidence can confirm or refute it.",
    ),
]


def ensure_groups(apps=global_apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in [
        (FACT_CHECKERS, CHECKER_PERMISSIONS),
        (EDITORS, EDITOR_PERMISSIONS),
    ]:
        group, _ = Group.objects.get_or_create(name=name)
        perms = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in wanted
        ]
        group.permissions.add(*perms)


def ensure_ratings(apps=global_apps) -> None:
    Rating = apps.get_model("verifier", "Rating")
    if Rating.objects.exists():
        return
    for position, (label, value, colour, evidence, description) in enumerate(RATINGS):
        Rating.objects.create(
            label=label,
            value=value,
            colour=colour,
            requires_evidence=evidence,
            description=description,
            position=position,
        )


def ensure_policy(apps=global_apps) -> None:
    WorkflowPolicy = apps.get_model("verifier", "WorkflowPolicy")
    WorkflowPolicy.objects.get_or_create(pk=1)
