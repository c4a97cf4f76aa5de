"""Ready-made journeys, from the source material: new journeys start from one, and so does the demo.

Each touchpoint is (stage kind, key, name, channel, owner, expected emotion, moments), where
moments are (type, impact, rationale).
"""

from django.db import transaction

from journeys.models import Journey
from journeys.services import journey_create
from moments.models import Moment
from touchpoints.services import touchpoint_create, touchpoint_free_key
from workspaces.models import Workspace

ONLINE_PURCHASE = {
    "name": "Online purchase",
    "persona": "Online shopper buying a home appliance",
    "description": "From the first web search to recommending the shop to friends.",
    "touchpoints": [
        ("discovery", "web-search", "Web search", "web", "Marketing", 1, []),
        ("discovery", "social-ads", "Social media ads", "social", "Marketing", 0, []),
        (
            "consideration",
            "reviews-site",
            "Reviews site",
            "web",
            "Community team",
            0,
            [("zmot", 4, "Shoppers read ratings and reviews before they ever visit us.")],
        ),
        (
            "consideration",
            "product-page",
            "Product page",
            "web",
            "E-commerce",
            1,
            [("fmot", 5, "First encounter with the product online: photos, price, stock.")],
        ),
        ("purchase", "checkout-payment", "Checkout and payment", "web", "E-commerce", 1, []),
        ("purchase", "order-confirmation", "Order confirmation email", "email", "CRM", 1, []),
        ("experience", "order-status-sms", "Order-status SMS", "sms", "Logistics", 0, []),
        (
            "experience",
            "home-delivery",
            "Home delivery",
            "other",
            "Logistics",
            2,
            [("smot", 5, "Unboxing and first use: the promise meets reality.")],
        ),
        (
            "experience",
            "chat-support",
            "Chat support",
            "chat",
            "Customer care",
            0,
            [("intermediate", 4, "Contact-center conversations decide whether problems heal.")],
        ),
        (
            "loyalty",
            "post-sale-survey",
            "Post-sale survey",
            "email",
            "CX team",
            0,
            [("tmot", 3, "After the purchase the customer judges the whole relationship.")],
        ),
        ("loyalty", "loyalty-programme", "Loyalty programme", "mobile_app", "CRM", 1, []),
        (
            "recommendation",
            "referral-programme",
            "Referral programme",
            "web",
            "Marketing",
            2,
            [("tmot", 3, "Advocacy: satisfied customers bring their friends.")],
        ),
        (
            "recommendation",
            "public-reviews",
            "Public reviews and social posts",
            "social",
            "Community team",
            1,
            [
                (
                    "sub_zero",
                    5,
                    "Customers with three bad experiences tell others before we meet them.",
                )
            ],
        ),
    ],
}

CUSTOMER_SERVICE = {
    "name": "Customer service — five moments",
    "persona": "Customer served by the contact center and the store",
    "description": "The five moments of service: first contact, selection, payment, delivery, after-sales.",
    "touchpoints": [
        (
            "discovery",
            "first-contact",
            "First contact",
            "contact_center",
            "Contact center",
            1,
            [("intermediate", 4, "The first call sets the tone of the relationship.")],
        ),
        (
            "consideration",
            "product-selection",
            "Product selection",
            "store",
            "Store staff",
            1,
            [("fmot", 5, "The customer meets the product on the shelf or in the showroom.")],
        ),
        ("purchase", "payment", "Payment", "store", "Store staff", 0, []),
        (
            "experience",
            "delivery",
            "Delivery",
            "other",
            "Logistics",
            1,
            [("smot", 4, "The first use of what was bought.")],
        ),
        (
            "loyalty",
            "after-sales-service",
            "After-sales service",
            "phone",
            "Customer care",
            0,
            [("tmot", 5, "Support after the purchase keeps or loses the customer.")],
        ),
    ],
}

BLUEPRINTS = {"online-purchase": ONLINE_PURCHASE, "customer-service": CUSTOMER_SERVICE}


@transaction.atomic
def journey_create_from_blueprint(
    *, workspace: Workspace, blueprint: dict, name: str = "", tagged_by: str = ""
) -> Journey:
    journey = journey_create(
        workspace=workspace,
        name=name or blueprint["name"],
        persona=blueprint["persona"],
        description=blueprint["description"],
    )
    stages = {stage.kind: stage for stage in journey.stages.all()}
    for kind, key, tp_name, channel, owner, emotion, moments in blueprint["touchpoints"]:
        touchpoint = touchpoint_create(
            stage=stages[kind],
            key=touchpoint_free_key(workspace_id=workspace.pk, name=key),
            name=tp_name,
            channel=channel,
            owner=owner,
            expected_emotion=emotion,
        )
        Moment.objects.bulk_create(
            Moment(
                touchpoint=touchpoint,
                type=moment_type,
                impact=impact,
                rationale=rationale,
                tagged_by=tagged_by,
            )
            for moment_type, impact, rationale in moments
        )
    return journey
