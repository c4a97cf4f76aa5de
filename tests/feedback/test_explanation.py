"""The sentence that explains a touchpoint's score, worked out by hand for each shape of health:
no data, components short of min_responses, one component, equal and unequal weights, a weight
of zero."""

from feedback.explanation import explain_score

EQUAL = {"nps": 1, "csat": 1, "ces": 1, "sentiment": 1, "resolution": 1}


def test_it_explains_no_data():
    sentence = explain_score(
        score=None, band="no_data", components={}, weights=EQUAL, min_responses=5, window_days=30
    )
    assert sentence == "No score yet: no feedback in the last 30 days."


def test_it_explains_feedback_without_a_signal():
    sentence = explain_score(
        score=None, band="no_data", components={}, weights=EQUAL, min_responses=5, n=3
    )
    assert sentence == (
        "No score yet: none of the 3 responses of the last 90 days has an NPS, CSAT, CES, "
        "sentiment or outcome."
    )


def test_it_explains_components_that_do_not_count():
    components = {
        "nps": {"value": 50.0, "n": 3, "counts": False},
        "csat": {"value": 100.0, "n": 1, "counts": False},
    }
    sentence = explain_score(
        score=None, band="no_data", components=components, weights=EQUAL, min_responses=5
    )
    assert sentence == (
        "No score yet: NPS (3 responses) and CSAT (1) have fewer than the 5 responses needed "
        "to count."
    )
    one = {"ces": {"value": 50.0, "n": 1, "counts": False}}
    sentence = explain_score(
        score=None, band="no_data", components=one, weights=EQUAL, min_responses=5
    )
    assert (
        sentence == "No score yet: CES (1 response) has fewer than the 5 responses needed to count."
    )


def test_it_explains_one_component():
    components = {"nps": {"value": 62.5, "n": 48, "counts": True}}
    sentence = explain_score(
        score=62.5, band="at_risk", components=components, weights=EQUAL, min_responses=5
    )
    assert sentence == "Score 62.5 (at risk): NPS alone, 62.5 from 48 responses."


def test_it_explains_an_equal_mean_with_a_component_left_out():
    components = {
        "nps": {"value": 55.0, "n": 48, "counts": True},
        "csat": {"value": 70.0, "n": 40, "counts": True},
        "ces": {"value": 80.0, "n": 3, "counts": False},
    }
    sentence = explain_score(
        score=62.5, band="at_risk", components=components, weights=EQUAL, min_responses=5
    )
    assert sentence == (
        "Score 62.5 (at risk): the mean of NPS 55.0 (48 responses) and CSAT 70.0 (40) with "
        "equal weights; CES is left out: 3 responses, fewer than the 5 needed."
    )


def test_it_explains_weights_and_several_left_out():
    components = {
        "nps": {"value": 55.0, "n": 48, "counts": True},
        "csat": {"value": 70.0, "n": 40, "counts": True},
        "ces": {"value": 80.0, "n": 12, "counts": True},
        "sentiment": {"value": 40.0, "n": 2, "counts": False},
        "resolution": {"value": 100.0, "n": 1, "counts": False},
    }
    weights = {**EQUAL, "nps": 2, "ces": 0.5}
    sentence = explain_score(
        score=63.6, band="at_risk", components=components, weights=weights, min_responses=5
    )
    assert sentence == (
        "Score 63.6 (at risk): the weighted mean of NPS 55.0 (48 responses, weight 2), "
        "CSAT 70.0 (40, weight 1) and CES 80.0 (12, weight 0.5); Sentiment (2 responses) and "
        "Resolution (1) are left out: fewer than the 5 responses needed."
    )


def test_it_explains_a_component_weighted_zero():
    components = {
        "nps": {"value": 90.0, "n": 10, "counts": True},
        "csat": {"value": 20.0, "n": 10, "counts": True},
    }
    weights = {**EQUAL, "csat": 0}
    sentence = explain_score(
        score=90.0, band="healthy", components=components, weights=weights, min_responses=5
    )
    assert sentence == (
        "Score 90.0 (healthy): NPS alone, 90.0 from 10 responses; CSAT is left out: its weight "
        "is 0."
    )
