"""polyprof: Go pprof and Python cProfile/py-spy profiles, side by side, exactly."""

from .errors import IncompleteProfileError, PolyprofError, ProfileError
from .load import load_profile
from .schema import Profile, ProfileMeta

__all__ = [
    "IncompleteProfileError",
    "PolyprofError",
    "Profile",
    "ProfileError",
    "ProfileMeta",
    "load_profile",
]
