"""The API's request and response models, by area: the one definition the OpenAPI
description and the validation are both made from (see webapp.api.openapi)."""
