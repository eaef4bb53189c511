"""A job's parameters checked by the provider's own request model, before anything is sent."""

from __future__ import annotations

from pydantic import ValidationError

from ..net import errors as E
from . import registry
from .base import validation_message


def checked_params(params: dict, provider_id: str) -> dict:
    """``params`` after the provider's own model has checked them; ``InvalidInputError`` with its message when it
    refuses them."""
    client = registry.client_class(provider_id)
    try:
        client.validate_params(params)
    except ValidationError as exc:
        raise E.InvalidInputError(validation_message(client.label, exc, registry.info(provider_id).labels())) from None
    return params
