def test_a_manual_service_order_goes_from_requirement_to_completion(place_order, walk, act, cast):
    order = walk(place_order(), "confirm_acceptance")
    done = act(cast.buyer, order, "accept")
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    assert done.json()["nodes"][0]["id"] == "service_completed"
