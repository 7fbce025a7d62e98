"""Massage therapy: the bodywork plugin of polymodal."""

from polymodal.core.api import Family, ModalitySpec, SessionFormat, hookimpl


@hookimpl
def polymodal_register_modalities():
    return [
        ModalitySpec(
            key="bodywork/massage",
            name="Massage therapy",
            family=Family.somatic,
            discipline="massage",
            formats=(SessionFormat.individual,),
        )
    ]
