"""The subscribe box's data: the email service's public sign-up form, put into the context."""

from .form import SubscribeError, form_for, register

__all__ = ["SubscribeError", "form_for", "register"]
