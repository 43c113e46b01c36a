from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Moderation")


@_attrs_define
class Moderation:
    """
    Attributes:
        blocked_terms (list[str] | Unset): Words or phrases refused in prompts (422 `prompt_blocked`), matched as whole
            words after Unicode NFKC, case folding, accent stripping and collapsing of separators (`S.p-e-l-l` is `spell`).
        force_safety_checker (bool | Unset): Run the provider's safety checker even when a request turns it off.
            Default: False.
        withhold_nsfw_images (bool | Unset): Store no image the provider flags (`withheld: true, url: null`) and refund
            it. Default: False.
    """

    blocked_terms: list[str] | Unset = UNSET
    force_safety_checker: bool | Unset = False
    withhold_nsfw_images: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        blocked_terms: list[str] | Unset = UNSET
        if not isinstance(self.blocked_terms, Unset):
            blocked_terms = self.blocked_terms

        force_safety_checker = self.force_safety_checker

        withhold_nsfw_images = self.withhold_nsfw_images

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if blocked_terms is not UNSET:
            field_dict["blocked_terms"] = blocked_terms
        if force_safety_checker is not UNSET:
            field_dict["force_safety_checker"] = force_safety_checker
        if withhold_nsfw_images is not UNSET:
            field_dict["withhold_nsfw_images"] = withhold_nsfw_images

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        blocked_terms = cast(list[str], d.pop("blocked_terms", UNSET))

        force_safety_checker = d.pop("force_safety_checker", UNSET)

        withhold_nsfw_images = d.pop("withhold_nsfw_images", UNSET)

        moderation = cls(
            blocked_terms=blocked_terms,
            force_safety_checker=force_safety_checker,
            withhold_nsfw_images=withhold_nsfw_images,
        )

        return moderation
