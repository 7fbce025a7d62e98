"""Psychotherapy and counselling: the talk plugin of polymodal."""

from polymodal.core.api import Family, ModalitySpec, SessionFormat, hookimpl


@hookimpl
def polymodal_register_modalities():
    return [
        ModalitySpec(
            key="talk/psychotherapy",
            name="Psychotherapy and counselling",
            family=Family.talk,
            discipline="psychotherapy",
            formats=(SessionFormat.individual, SessionFormat.couple, SessionFormat.family, SessionFormat.group,),
        )
    ]
