"""One fact, one place: a setting's default, range and choices are declared once, in its provider's ``Param``
(``providers/<vendor>/settings.py``), and the client's pydantic model must agree with that declaration exactly.

Checked through the client's own ``validate_params`` for every registered provider (the example provider defined
under tests/ too): the defaults pass; each end of a range passes and one step past it is refused; every choice
passes and a value outside the choices is refused. A model looser than the declaration (a bound forgotten) or
stricter (a narrower bound, a choice missing) fails here, naming the setting.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from meshsmith.providers import registry, schema

PROVIDERS = sorted(provider.id for provider in registry.PROVIDERS.values() if not provider.catalog or provider.settings)


def _values(info, **changes):
    values = schema.defaults(info.settings)
    values.update(changes)
    return values


def _accepts(info, param: schema.Param, value) -> bool:
    values = _values(info, **{param.name: value})
    for name, allowed in param.when:  # the setting's own conditions met, so it is collected at all
        values[name] = allowed[0]
    params = schema.collect(info.settings, values)
    if param.name not in params:
        pytest.skip(f"{param.name} is not collected with the defaults")
    try:
        registry.client_class(info.id).validate_params(params)
    except ValidationError:
        return False
    return True


def _checked(info):
    return [param for param in info.settings if param.sent and param.request_field != ""
            and param.kind in ("int", "float", "enum", "bool")]


def test_every_provider_with_settings_is_checked():
    assert {"SEGMIND", "SCENARIO", "MESHY", "HUNYUAN_SERVER", "EXAMPLE"} <= set(PROVIDERS)


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_the_defaults_are_a_valid_request(provider_id):
    info = registry.info(provider_id)
    registry.client_class(provider_id).validate_params(schema.collect(info.settings, _values(info)))


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_each_range_is_the_models_range(provider_id):
    info = registry.info(provider_id)
    drift = []
    for param in _checked(info):
        if param.kind not in ("int", "float"):
            continue
        step = 1 if param.kind == "int" else 0.01
        for edge, past in ((param.min, None if param.min is None else param.min - step),
                           (param.max, None if param.max is None else param.max + step)):
            if edge is None:
                continue
            if not _accepts(info, param, edge):
                drift.append(f"{param.name}: the model refuses {edge}, which the setting allows")
            if _accepts(info, param, past):
                drift.append(f"{param.name}: the model takes {past}, outside the setting's range")
    assert drift == []


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_each_choice_is_the_models_choice(provider_id):
    info = registry.info(provider_id)
    drift = []
    for param in _checked(info):
        if param.kind != "enum":
            continue
        drift += [f"{param.name}: the model refuses {choice.id!r}" for choice in param.choices
                  if not _accepts(info, param, choice.id)]
        if _accepts(info, param, "NOT_A_CHOICE"):
            drift.append(f"{param.name}: the model takes a value that is not one of its choices")
    assert drift == []


VALIDATOR_WORDS = ("Value error", "value_error", "input:", "validation error", "pydantic", "Input should")


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_every_refusal_reads_as_a_sentence_for_an_artist(provider_id):
    from meshsmith.net import errors as E
    from meshsmith.providers.checks import checked_params

    info = registry.info(provider_id)
    wrong = {"int": 10**30, "float": 10.0**30, "enum": "NOT_A_CHOICE", "bool": "maybe"}
    refusals = []
    for param in _checked(info):
        values = _values(info, **{param.name: wrong[param.kind]})
        for name, allowed in param.when:
            values[name] = allowed[0]
        params = schema.collect(info.settings, values)
        if param.name not in params:
            continue
        with pytest.raises(E.InvalidInputError) as refused:
            checked_params(params, provider_id)
        refusals.append(str(refused.value))
    assert refusals
    for text in refusals:
        assert text.startswith(f"{registry.client_class(provider_id).label} cannot use these settings: "), text
        assert not [word for word in VALIDATOR_WORDS if word in text], text
        assert text.endswith("."), text


def test_a_rule_between_settings_is_refused_in_the_models_own_words():
    from meshsmith.net import errors as E
    from meshsmith.providers.checks import checked_params

    info = registry.info("MESHY")
    values = _values(info, texture_model="meshy-6-lite", texture_resolution="4k")
    with pytest.raises(E.InvalidInputError) as refused:
        checked_params(schema.collect(info.settings, values), "MESHY")
    assert str(refused.value) == "Meshy cannot use these settings: Meshy 6 Lite makes 2K textures only; choose 2K or Meshy 7."
