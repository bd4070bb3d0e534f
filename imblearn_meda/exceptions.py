"""The warnings this package issues."""


class SynthesisWarning(UserWarning):
    """Too few synthetic samples passed a sampler's filter.

    The counts asked for are still met: the remainder is filled with the
    draws the sampler rates best. Issued at most once per ``fit_resample``
    or ``sample`` call, naming every class concerned.
    """


__all__ = ["SynthesisWarning"]
