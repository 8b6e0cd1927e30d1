from projects.workflow import TransitionError


class DeclarationError(TransitionError):
    """A declaration or payment action refused, with a French message."""
