from clasportal.transitions import TransitionError

# One error for every refused action, whatever the aggregate: views catch one exception.
DeclarationError = TransitionError
