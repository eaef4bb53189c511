"""Segmind request validation at every documented bound, serialisation, and seed handling."""

import random

import pytest
from pydantic import ValidationError

from meshsmith.providers.segmind.client import MAX_SEED, RANDOM_SEED_CEILING, SegmindParams, SegmindRequest

BOUNDS = [
    ("num_inference_steps", 20, 50),
    ("guidance_scale", 1.0, 15.0),
    ("seed", -1, MAX_SEED),
    ("face_count", 5000, 100000),
]


@pytest.mark.parametrize(("field", "low", "high"), BOUNDS)
def test_bounds_are_inclusive(field, low, high):
    assert getattr(SegmindParams(**{field: low}), field) == low
    assert getattr(SegmindParams(**{field: high}), field) == high


@pytest.mark.parametrize(("field", "low", "high"), BOUNDS)
def test_values_outside_bounds_are_refused(field, low, high):
    step = 0.01 if isinstance(low, float) else 1
    with pytest.raises(ValidationError):
        SegmindParams(**{field: low - step})
    with pytest.raises(ValidationError):
        SegmindParams(**{field: high + step})


@pytest.mark.parametrize("value", [256, 384, 512, "256", "384", "512"])
def test_octree_resolution_accepts_the_three_values_as_int_or_text(value):
    assert int(SegmindParams(octree_resolution=value).octree_resolution) == int(value)


@pytest.mark.parametrize("value", [128, 300, "1024", "high"])
def test_octree_resolution_refuses_others(value):
    with pytest.raises(ValidationError):
        SegmindParams(octree_resolution=value)


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        SegmindParams(steps=30)


def test_request_needs_an_image_or_a_prompt():
    with pytest.raises(ValidationError):
        SegmindRequest()
    assert SegmindRequest(text="a chair").text == "a chair"


def test_body_sends_octree_as_text_and_leaves_api_mode_out():
    body = SegmindRequest(image="aGVsbG8=", octree_resolution=384, api_mode="SYNC").model_dump(mode="json", exclude_none=True)
    assert body["octree_resolution"] == "384"
    assert "api_mode" not in body
    assert body["texture"] is True
    assert body["num_inference_steps"] == 30 and body["guidance_scale"] == 5.5 and body["face_count"] == 40000


def test_random_seed_is_chosen_in_the_client_and_fits_blender():
    request = SegmindRequest(image="x", seed=-1).with_seed_resolved(random.Random(4))
    assert 0 <= request.seed <= RANDOM_SEED_CEILING
    assert request.model_dump(mode="json")["seed"] == request.seed


def test_an_explicit_seed_is_kept():
    assert SegmindRequest(image="x", seed=12467).with_seed_resolved().seed == 12467


def test_two_random_seeds_differ():
    seeds = {SegmindRequest(image="x").with_seed_resolved().seed for _ in range(5)}
    assert len(seeds) > 1
