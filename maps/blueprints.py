"""Ready-made journeys, from the source material: new journeys start from one, and so does the demo.

Each touchpoint is (stage kind, key, name, channel, owner, expected emotion, moments), where
moments are (type, impact, rationale). The texts are translated lazily and stored in the language
that is active when the journey is created, as the default stage names are; keys stay English.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from journeys.models import Journey
from journeys.services import journey_create
from moments.models import Moment
from touchpoints.services import touchpoint_create, touchpoint_free_key
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
}

BLUEPRINTS = {"online-purchase": ONLINE_PURCHASE, "customer-service": CUSTOMER_SERVICE}


@transaction.atomic
def journey_create_from_blueprint(
    *, workspace: Workspace, blueprint: dict, name: str = "", tagged_by: str = ""
) -> Journey:
    journey = journey_create(
        workspace=workspace,
        name=name or str(blueprint["name"]),
        persona=str(blueprint["persona"]),
        description=str(blueprint["description"]),
    )
    stages = {stage.kind: stage for stage in journey.stages.all()}
    for kind, key, tp_name, channel, owner, emotion, moments in blueprint["touchpoints"]:
        pain_points, opportunities = NOTES.get(key, ("", ""))
        touchpoint = touchpoint_create(
            stage=stages[kind],
            key=touchpoint_free_key(workspace_id=workspace.pk, name=key),
            name=str(tp_name),
            channel=channel,
            owner=str(owner),
            expected_emotion=emotion,
            pain_points=str(pain_points),
            opportunities=str(opportunities),
        )
        Moment.objects.bulk_create(
            Moment(
                touchpoint=touchpoint,
                type=moment_type,
                impact=impact,
                rationale=str(rationale),
                tagged_by=tagged_by,
            )
            for moment_type, impact, rationale in moments
        )
    return journey
