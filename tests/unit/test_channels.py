"""File-name to PBR channel matching (pure function)."""

import pytest

from meshsmith.providers.channels import Channel, channel_from_filename, resolve_channel


@pytest.mark.parametrize(("name", "channel"), [
    ("texture_0.png", None),
    ("texture_0_normal.png", Channel.NORMAL),
    ("texture_0_roughness.png?Expires=123", Channel.ROUGHNESS),
    ("https://assets.meshy.ai/x/output/texture_0_metallic.png?Expires=1", Channel.METALLIC),
    ("texture_0_emission.png", Channel.EMISSION),
    ("Helmet_metallicRoughness.png", Channel.METALLIC_ROUGHNESS),
    ("rock_albedo.jpg", Channel.BASE_COLOR),
    ("crate_BaseColor.png", Channel.BASE_COLOR),
    ("wall_nrm.png", Channel.NORMAL),
])
def test_channel_from_filename(name, channel):
    assert channel_from_filename(name) is channel


def test_the_name_wins_over_a_swapped_key():
    # Meshy's old sample put the roughness file under "normal" and vice versa.
    assert resolve_channel("normal", "texture_0_roughness.png") is Channel.ROUGHNESS
    assert resolve_channel("roughness", "texture_0_normal.png") is Channel.NORMAL


def test_an_unnamed_file_takes_the_key():
    assert resolve_channel("base_color", "texture_0.png") is Channel.BASE_COLOR
