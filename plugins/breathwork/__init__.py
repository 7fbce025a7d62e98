"""Breathwork: the breathwork plugin of polymodal."""

from polymodal.core.api import Family, ModalitySpec, SessionFormat, hookimpl


@hookimpl
def polymodal_register_modalities():
    return [
        ModalitySpec(
            key="breathwork/breathwork",
            name="Breathwork",
            family=Family.breath,
            discipline="breathwork",
            formats=(SessionFormat.individual, SessionFormat.group,),
        )
    ]
