"""Art therapy: the arts plugin of polymodal."""

from polymodal.core.api import Family, ModalitySpec, SessionFormat, hookimpl


@hookimpl
def polymodal_register_modalities():
    return [
        ModalitySpec(
            key="arts/art-therapy",
            name="Art therapy",
            family=Family.creative,
            discipline="art-therapy",
            formats=(SessionFormat.individual, SessionFormat.group,),
        )
    ]
