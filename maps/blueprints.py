"""Ready-made journeys (templates): new journeys start from one, and so does the demo.

A blueprint has the six classic stages unless it names its own as (ref, kind, name). Each
touchpoint is (stage kind or ref, key, name, channel, owner, expected emotion, moments), where
moments are (type, impact, rationale); pain points and opportunities are in NOTES by key. The
texts are translated lazily and stored in the language that is active when the journey is
created, as the default stage names are; keys stay English. A blueprint becomes a journey
document (maps/documents.py), which the API lists and imports like any other.
"""

from django.utils.translation import gettext_lazy as _

from journeys.lanes import default_lanes
from journeys.models import CLASSIC_STAGE_KINDS, Journey, StageKind
from maps.documents import MOMENT_ORDER, VERSION, journey_import
from workspaces.models import Workspace

ONLINE_PURCHASE = {
    "name": _("Online purchase"),
    "persona": _("Online shopper buying a home appliance"),
    "description": _("From the first web search to recommending the shop to friends."),
    "touchpoints": [
        ("discovery", "web-search", _("Web search"), "web", _("Marketing"), 1, []),
        ("discovery", "social-ads", _("Social media ads"), "social", _("Marketing"), 0, []),
        (
            "consideration",
            "reviews-site",
            _("Reviews site"),
            "web",
            _("Community team"),
            0,
            [("zmot", 4, _("Shoppers read ratings and reviews before they ever visit us."))],
        ),
        (
            "consideration",
            "product-page",
            _("Product page"),
            "web",
            _("E-commerce"),
            1,
            [("fmot", 5, _("First encounter with the product online: photos, price, stock."))],
        ),
        ("purchase", "checkout-payment", _("Checkout and payment"), "web", _("E-commerce"), 1, []),
        ("purchase", "order-confirmation", _("Order confirmation email"), "email", _("CRM"), 1, []),
        ("experience", "order-status-sms", _("Order-status SMS"), "sms", _("Logistics"), 0, []),
        (
            "experience",
            "home-delivery",
            _("Home delivery"),
            "other",
            _("Logistics"),
            2,
            [("smot", 5, _("Unboxing and first use: the promise meets reality."))],
        ),
        (
            "experience",
            "chat-support",
            _("Chat support"),
            "chat",
            _("Customer care"),
            0,
            [("intermediate", 4, _("Contact-center conversations decide whether problems heal."))],
        ),
        (
            "loyalty",
            "post-sale-survey",
            _("Post-sale survey"),
            "email",
            _("CX team"),
            0,
            [("tmot", 3, _("After the purchase the customer judges the whole relationship."))],
        ),
        ("loyalty", "loyalty-programme", _("Loyalty programme"), "mobile_app", _("CRM"), 1, []),
        (
            "recommendation",
            "referral-programme",
            _("Referral programme"),
            "web",
            _("Marketing"),
            2,
            [("tmot", 3, _("Advocacy: satisfied customers bring their friends."))],
        ),
        (
            "recommendation",
            "public-reviews",
            _("Public reviews and social posts"),
            "social",
            _("Community team"),
            1,
            [
                (
                    "sub_zero",
                    5,
                    _("Customers with three bad experiences tell others before we meet them."),
                )
            ],
        ),
    ],
}

CUSTOMER_SERVICE = {
    "name": _("Customer service — five moments"),
    "persona": _("Customer served by the contact center and the store"),
    "description": _(
        "The five moments of service: first contact, selection, payment, delivery, after-sales."
    ),
    "touchpoints": [
        (
            "discovery",
            "first-contact",
            _("First contact"),
            "contact_center",
            _("Contact center"),
            1,
            [("intermediate", 4, _("The first call sets the tone of the relationship."))],
        ),
        (
            "consideration",
            "product-selection",
            _("Product selection"),
            "store",
            _("Store staff"),
            1,
            [("fmot", 5, _("The customer meets the product on the shelf or in the showroom."))],
        ),
        ("purchase", "payment", _("Payment"), "store", _("Store staff"), 0, []),
        (
            "experience",
            "delivery",
            _("Delivery"),
            "other",
            _("Logistics"),
            1,
            [("smot", 4, _("The first use of what was bought."))],
        ),
        (
            "loyalty",
            "after-sales-service",
            _("After-sales service"),
            "phone",
            _("Customer care"),
            0,
            [("tmot", 5, _("Support after the purchase keeps or loses the customer."))],
        ),
    ],
}

CONTACT_CENTRE = {
    "name": _("Contact-centre support"),
    "persona": _("Customer whose product stopped working and who needs help"),
    "description": _(
        "From looking for the answer alone to the call-back after the contact: self-service, "
        "getting through, the conversation, the resolution and the follow-up."
    ),
    "stages": [
        ("self-service", StageKind.CUSTOM, _("Self-service")),
        ("getting-through", StageKind.CUSTOM, _("Getting through")),
        ("conversation", StageKind.CUSTOM, _("Conversation")),
        ("resolution", StageKind.CUSTOM, _("Resolution")),
        ("follow-up", StageKind.CUSTOM, _("Follow-up")),
    ],
    "touchpoints": [
        (
            "self-service",
            "help-centre",
            _("Help-centre articles"),
            "web",
            _("Knowledge team"),
            0,
            [("zmot", 4, _("Customers search the help centre and forums before they contact us."))],
        ),
        ("self-service", "support-bot", _("Support chatbot"), "chat", _("Digital care"), -1, []),
        ("getting-through", "ivr-menu", _("Phone menu (IVR)"), "phone", _("Telephony"), -1, []),
        (
            "getting-through",
            "call-queue",
            _("Waiting in the queue"),
            "phone",
            _("Workforce planning"),
            -2,
            [],
        ),
        (
            "conversation",
            "agent-call",
            _("Call with an agent"),
            "contact_center",
            _("Support agents"),
            1,
            [
                (
                    "intermediate",
                    5,
                    _(
                        "The talk with the agent decides whether the problem heals or the customer"
                        " leaves."
                    ),
                )
            ],
        ),
        (
            "conversation",
            "agent-chat",
            _("Live chat with an agent"),
            "chat",
            _("Support agents"),
            1,
            [("intermediate", 4, _("A chat that solves the problem in one go wins trust back."))],
        ),
        ("conversation", "email-ticket", _("Email ticket"), "email", _("Back office"), 0, []),
        (
            "resolution",
            "escalation",
            _("Escalation to second-line support"),
            "other",
            _("Technical support"),
            -1,
            [],
        ),
        (
            "resolution",
            "resolution-confirmation",
            _("Resolution confirmation"),
            "email",
            _("Support agents"),
            1,
            [
                (
                    "tmot",
                    4,
                    _("Whether the fix lasts is what the customer remembers of the service."),
                )
            ],
        ),
        (
            "follow-up",
            "contact-survey",
            _("After-contact survey"),
            "sms",
            _("CX team"),
            0,
            [("tmot", 3, _("After the contact the customer judges the whole service."))],
        ),
        (
            "follow-up",
            "detractor-callback",
            _("Call-back to unhappy customers"),
            "phone",
            _("Customer care"),
            1,
            [
                (
                    "sub_zero",
                    5,
                    _("Customers with three bad contacts tell others; a call-back can stop it."),
                )
            ],
        ),
    ],
}

SAAS_ONBOARDING = {
    "name": _("SaaS onboarding"),
    "persona": _("Team lead trying a project-management tool for their team"),
    "description": _(
        "From the first visit to the website to the renewal and inviting the rest of the team."
    ),
    "touchpoints": [
        ("discovery", "landing-page", _("Website landing page"), "web", _("Growth"), 1, []),
        (
            "discovery",
            "software-reviews",
            _("Software review sites"),
            "web",
            _("Product marketing"),
            0,
            [("zmot", 4, _("Buyers compare us on review sites before they sign up."))],
        ),
        (
            "consideration",
            "demo-call",
            _("Product demo"),
            "web",
            _("Sales"),
            1,
            [("fmot", 4, _("The first look at the product working on the buyer's own case."))],
        ),
        ("purchase", "trial-signup", _("Free-trial sign-up"), "web", _("Growth"), 1, []),
        ("purchase", "plan-checkout", _("Plan checkout"), "web", _("Billing"), 0, []),
        (
            "experience",
            "welcome-email",
            _("Welcome email"),
            "email",
            _("Lifecycle marketing"),
            1,
            [],
        ),
        (
            "experience",
            "setup-wizard",
            _("Setup wizard and first project"),
            "web",
            _("Product"),
            0,
            [
                (
                    "smot",
                    5,
                    _(
                        "First use: the first project set up proves the product, or it is"
                        " abandoned."
                    ),
                )
            ],
        ),
        (
            "experience",
            "onboarding-checklist",
            _("Onboarding checklist"),
            "mobile_app",
            _("Product"),
            1,
            [],
        ),
        (
            "experience",
            "support-chat",
            _("Support chat"),
            "chat",
            _("Customer support"),
            0,
            [("intermediate", 4, _("A quick human answer during setup keeps new teams going."))],
        ),
        (
            "loyalty",
            "success-check-in",
            _("Customer-success check-in"),
            "phone",
            _("Customer success"),
            1,
            [("tmot", 4, _("After setup, the help and value reviews decide the renewal."))],
        ),
        ("loyalty", "renewal-notice", _("Renewal notice"), "email", _("Billing"), -1, []),
        (
            "recommendation",
            "team-invites",
            _("Teammate invitations"),
            "web",
            _("Product"),
            2,
            [("tmot", 3, _("Inviting colleagues is advocacy inside the customer's company."))],
        ),
        (
            "recommendation",
            "review-request",
            _("Review request"),
            "email",
            _("Product marketing"),
            1,
            [
                (
                    "sub_zero",
                    4,
                    _("Unhappy admins warn their peers on review sites before we hear of it."),
                )
            ],
        ),
    ],
}

# Pain points and opportunities the designers noted, by touchpoint key.
NOTES = {
    "reviews-site": (_("Old one-star reviews rank first."), _("Answer every review within a day.")),
    "checkout-payment": (
        _("Card payments fail on the second 3-D Secure step."),
        _("Offer wallet payments; keep the basket when a payment fails."),
    ),
    "home-delivery": (
        _("Two-hour delivery windows are missed."),
        _("Live tracking with a driver ETA."),
    ),
    "chat-support": (_("Long queues at lunchtime."), _("Bot answers for order status.")),
    "public-reviews": (
        _("Detractors post before we can help."),
        _("Reach out after a bad survey."),
    ),
    "after-sales-service": (_("Repairs take three weeks."), _("Loan units while repairing.")),
    "payment": (_("Only cash or card at the till."), _("Pay by phone at the shelf.")),
    "help-centre": (
        _("Articles are out of date after each release."),
        _("Update articles with every release; ask whether each one helped."),
    ),
    "support-bot": (
        _("The bot goes round in circles when it does not understand."),
        _("Hand over to an agent after two failed answers, with the transcript."),
    ),
    "ivr-menu": (
        _("Four menu levels before reaching a person."),
        _("Route by the caller's open case; offer a call-back instead of waiting."),
    ),
    "call-queue": (
        _("Twenty-minute waits on Monday mornings."),
        _("Staff to the forecast; tell callers their place in the queue."),
    ),
    "agent-call": (
        _("Customers repeat their story after every transfer."),
        _("Show the agent the customer's history and last contact."),
    ),
    "agent-chat": (
        _("Agents juggle three chats at once and answers slow down."),
        _("Fewer chats per agent at peak hours."),
    ),
    "email-ticket": (
        _("The first reply takes two days."),
        _("Acknowledge at once with the expected reply time."),
    ),
    "escalation": (
        _("Escalated cases lose their owner."),
        _("The first agent keeps the case until it is closed."),
    ),
    "resolution-confirmation": (
        _("Cases are closed before the customer confirms the fix."),
        _("Close only after the customer says it works."),
    ),
    "contact-survey": (
        _("The survey arrives a week after the contact."),
        _("Send it within the hour."),
    ),
    "detractor-callback": (
        _("Nobody calls back the customers who scored us low."),
        _("Call every detractor back within two working days."),
    ),
    "landing-page": (
        _("Prices are hidden behind a sales call."),
        _("Show the prices and a product tour without signing up."),
    ),
    "software-reviews": (
        _("Reviews call the setup hard."),
        _("Invite happy admins to write a review after their first month."),
    ),
    "demo-call": (
        _("Demos show every feature instead of the buyer's problem."),
        _("Demo the buyer's own use case, with their data where possible."),
    ),
    "trial-signup": (
        _("The trial asks for a credit card."),
        _("Sign up with a work account; no card for the trial."),
    ),
    "plan-checkout": (
        _("Invoices cannot carry the company's tax number."),
        _("Self-service invoices with the company's tax details."),
    ),
    "welcome-email": (
        _("A generic email with ten links."),
        _("One next step, chosen by the user's role."),
    ),
    "setup-wizard": (
        _("Importing data fails on large spreadsheets."),
        _("Sample data to start with, and an import that resumes."),
    ),
    "onboarding-checklist": (
        _("Users dismiss the product tour at the second step."),
        _("A short checklist that leads to the first result."),
    ),
    "support-chat": (
        _("No answers outside office hours."),
        _("Answers from the documentation at night, a person by day."),
    ),
    "success-check-in": (
        _("Only the largest accounts get a check-in."),
        _("A 30-day check-in for every new team."),
    ),
    "renewal-notice": (
        _("Price rises arrive without warning."),
        _("Notice 60 days ahead, with a summary of the year's use."),
    ),
    "team-invites": (
        _("Invited teammates land on an empty screen."),
        _("Invitations that open the project they were invited to."),
    ),
    "review-request": (
        _("We ask for a review before the team saw any value."),
        _("Ask after the first success milestone."),
    ),
}

BLUEPRINTS = {
    "online-purchase": ONLINE_PURCHASE,
    "customer-service": CUSTOMER_SERVICE,
    "contact-centre-support": CONTACT_CENTRE,
    "saas-onboarding": SAAS_ONBOARDING,
}


def blueprint_document(blueprint: dict) -> dict:
    """The blueprint as a journey document, in the active language."""
    stage_list = blueprint.get("stages") or [
        (kind.value, kind.value, kind.label) for kind in CLASSIC_STAGE_KINDS
    ]
    stages = {
        ref: {"name": str(name), "kind": kind, "touchpoints": []} for ref, kind, name in stage_list
    }
    for ref, key, name, channel, owner, emotion, moments in blueprint["touchpoints"]:
        pain_points, opportunities = NOTES.get(key, ("", ""))
        stages[ref]["touchpoints"].append(
            {
                "key": key,
                "name": str(name),
                "description": "",
                "channel": channel,
                "owner": str(owner),
                "expected_emotion": emotion,
                "pain_points": str(pain_points),
                "opportunities": str(opportunities),
                "lane_values": {},
                "moments": [
                    {"type": moment_type, "impact": impact, "rationale": str(rationale)}
                    for moment_type, impact, rationale in sorted(
                        moments, key=lambda moment: MOMENT_ORDER[moment[0]]
                    )
                ],
            }
        )
    return {
        "truthmap": VERSION,
        "journey": {
            "name": str(blueprint["name"]),
            "persona": str(blueprint["persona"]),
            "persona_goals": "",
            "persona_frustrations": "",
            "description": str(blueprint["description"]),
            "lanes": default_lanes(),
        },
        "stages": list(stages.values()),
    }


def journey_create_from_blueprint(
    *, workspace: Workspace, blueprint: dict, tagged_by: str = "", **journey_fields
) -> Journey:
    """A new journey from the blueprint; `name`, `persona` and `description`, when given and
    not blank, replace the blueprint's."""
    document = blueprint_document(blueprint)
    document["journey"].update({name: value for name, value in journey_fields.items() if value})
    return journey_import(workspace=workspace, document=document, tagged_by=tagged_by)
