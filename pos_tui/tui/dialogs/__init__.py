"""Modal dialogs: each is a ``ModalScreen[T]`` that ends with ``dismiss(value)`` (None on Esc)."""
