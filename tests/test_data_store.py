

def test_a_later_survey_used_for_2009_is_an_estimate_with_its_grade():
    """Mode shares from the survey of 2009 are observed; those of a later survey (Trondheim's of 2014, after its
    toll rings of 2010 and 2014) stand in for 2009 and are estimates, saying what they hold; every observed driver
    keeps the grade of its rows (Oslo's cars per inhabitant: registered cars over population, "derived")."""
    from framtid.model import base_year

    prov = base_year.load().provenance
    assert prov[("porsgrunn", "mode_shares")].status == "observed"
    later = prov[("trondheim", "mode_shares")]
    assert later.status == "estimated" and "travel survey 2014" in later.method and "2009-2014" in later.method
    assert later.confidence == "derived"
    assert prov[("oslo", "cars_per_capita")].confidence == "derived"
    assert all(p.confidence for p in prov.values() if p.status == "observed")
