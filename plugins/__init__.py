"""First-party modality plugins, loaded through the ``polymodal`` entry-point group like any other."""
