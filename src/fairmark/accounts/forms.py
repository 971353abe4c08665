from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TokenScope


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Six-digit code"), max_length=8, widget=forms.TextInput(attrs={
        "inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple,
                                       initial=[TokenScope.READ])
    expires_in_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)
