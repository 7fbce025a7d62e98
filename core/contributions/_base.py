"""Shared base for every declarative contribution a plugin returns."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

KEY_PATTERN = r"^[a-z][a-z0-9_-]*/[a-z0-9][a-z0-9_.-]*$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"

Key = Annotated[str, Field(pattern=KEY_PATTERN, max_length=120)]
"""A contribution key: ``<plugin>/<name>``, e.g. ``talk/phq-9``."""

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=80)]


class Frozen(BaseModel):
    """Immutable, strict-about-extras pydantic model.

    Plugins run in the same process as clinical data; frozen contributions mean
    one request cannot alter what another request sees.
    """

    # use_attribute_docstrings: the docstring under a field is its description, which the generated
    # reference (docs/reference/) prints and tests/meta/test_reference.py requires of every public field.
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, use_attribute_docstrings=True)


class Contribution(Frozen):
    """A keyed, versioned definition contributed by a plugin.

    ``key`` is ``<plugin>/<name>``; the part before the slash must be the name
    the plugin is registered under, so two plugins can never collide and every
    record names the plugin that defined it. ``version`` is a positive integer;
    a plugin keeps returning old versions of a definition that records were
    written under, so those records render as they were written.
    """

    key: Key
    """``<plugin>/<name>``: lower-case, the part before the slash being the plugin's entry-point name; at most
    120 characters. Records store it, so it never changes once used."""
    version: int = Field(default=1, ge=1)
    """Which wording of the definition this is (1 and up). Change it when the content changes and keep
    returning the older versions that stored records name."""

    @property
    def namespace(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def ref(self) -> str:
        """``key@version``, how records and error messages name a definition."""
        return f"{self.key}@{self.version}"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
