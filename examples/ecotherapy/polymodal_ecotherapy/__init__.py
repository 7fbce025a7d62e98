"""Nature-based therapy (ecotherapy): a third-party modality for polymodal."""

from polymodal.core.api import Family, ModalitySpec, SessionFormat, hookimpl


@hookimpl
def polymodal_register_modalities():
    return [
        ModalitySpec(
            key="ecotherapy/nature-based",
            name="Nature-based therapy",
            family=Family.movement,
            discipline="ecotherapy",
            formats=(SessionFormat.individual, SessionFormat.group),
        )
    ]
